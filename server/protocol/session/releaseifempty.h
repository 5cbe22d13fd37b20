#pragma once

#include <cstddef>

namespace heartline {

// A session's tables of requests are std::unordered_maps: a Qt 6.4 QHash allocates room for 48
// entries on its first insertion (3 to 7 KiB for these tables) and, emptied again, either keeps
// it for the life of the session or allocates it anew on every request (both measured in issue
// 12: 13.4 KiB per idle session, then a tenth of an echo call's CPU in malloc). An unordered map
// holds a bucket array of a few words between requests; one that grew with a burst is given
// back once empty, so 10,000 idle sessions do not each hold the tables of their busiest moment.
template<typename Container>
void releaseIfEmpty(Container &container)
{
    constexpr std::size_t kKeptBuckets = 16;
    if (container.empty() && container.bucket_count() > kKeptBuckets)
        container = Container();
}

} // namespace heartline
