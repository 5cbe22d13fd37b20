#pragma once

#include <QObject>

class QSocketNotifier;

namespace heartline {

// Turns SIGINT and SIGTERM into a Qt signal on the event loop. A signal handler may do
// almost nothing safely, so it only writes a byte to a socket pair; the loop reads it.
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    static void handleSignal(int signalNumber);
    void handleReadable();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace heartline
