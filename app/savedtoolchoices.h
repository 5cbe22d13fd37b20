#pragma once

#include <QStringList>

namespace heartline {

class ServerControl;

// Start-up policy of a windowed run: the tools the person switched off last time are switched
// off again before anything (the window, a client) sees the tool list. Headless runs skip it:
// they take only what they were told.
void applySavedToolChoices(ServerControl *control, const QStringList &disabledTools);

} // namespace heartline
