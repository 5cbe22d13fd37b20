#pragma once

#include <QHostAddress>
#include <QString>

namespace heartline {

// The form in which a peer is counted (connections per peer, rate limit): an IPv4 client of a
// dual-stack socket arrives as ::ffff:a.b.c.d and is the same peer as a.b.c.d.
inline QString peerAddressKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace heartline
