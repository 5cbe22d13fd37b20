#pragma once

#include "server/tools/upstream/closingchannels.h"
#include "server/tools/upstream/launchqueue.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <array>
#include <functional>
#include <set>

namespace heartline {

class UpstreamChannel;

// Heartline's MCP client session with one upstream server, over any UpstreamChannel:
// initialize (Heartline's client info and capabilities), notifications/initialized, then every
// page of tools, prompts, resources and templates the server offers. After that it carries
// requests with Heartline's own ids (the upstream never sees a downstream id), progress by
// token, cancellations, pings, and passes the server's own requests and notifications up.
//
// It never blocks and never outlives an answer: every request gets exactly one answer (result
// or error) unless the caller cancelled it, and when the channel closes every pending request
// is answered with an error at once.
class UpstreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)

public:
    enum class State {
        Idle,         // constructed, or stopped
        Connecting,   // channel opening (process starting, connection being made)
        Initializing, // initialize sent, lists being fetched
        Ready,        // lists fetched; requests flow
        Closed,       // the channel ended (see closed())
    };

    struct Options
    {
        QString clientName = QStringLiteral("heartline");
        QString clientVersion;
        // Sent in initialize: what Heartline can pass on to its own clients.
        QJsonObject capabilities;
        // From open() to the initialize answer and the lists (npx's first download is slow).
        int initializeTimeoutMs = 60'000;
        // 0: no pings. Otherwise a ping every interval; no answer within pingTimeoutMs is
        // unresponsive(), the next answer responsive().
        int pingIntervalMs = 0;
        int pingTimeoutMs = 10'000;
        // Where the channel goes when this client is destroyed before it has closed, to finish
        // its shutdown; null: it finishes on its own, parentless, and deletes itself.
        QPointer<ClosingChannels> closingChannels;
        // Where opening the channel waits for its turn (one child started per turn of the
        // loop); null: opened at once in start().
        QPointer<LaunchQueue> launchQueue;
    };

    // How one request is answered. onProgress, when set, makes the request carry
    // _meta.progressToken (its own upstream id) and receives each notifications/progress for
    // it; without it any progressToken in the params is removed.
    struct Reply
    {
        std::function<void(const QJsonObject &result)> onResult;
        std::function<void(int code, const QString &message, const QJsonValue &data)> onError;
        std::function<void(const QJsonObject &progressParams)> onProgress;
    };

    // Takes ownership of `channel`.
    UpstreamClient(UpstreamChannel *channel, const Options &options, QObject *parent = nullptr);
    ~UpstreamClient() override;

    void start();
    // Closes the channel; pending requests are answered with an error at once.
    void stop();

    State state() const { return m_state; }
    UpstreamChannel *channel() const { return m_channel; }

    QJsonObject serverInfo() const { return m_serverInfo; }
    QJsonObject serverCapabilities() const { return m_serverCapabilities; }
    QString negotiatedRevision() const { return m_revision; }
    QString instructions() const { return m_instructions; }

    // The upstream's lists as it sent them (each entry verbatim), complete after ready().
    const QList<QJsonObject> &tools() const { return m_tools; }
    const QList<QJsonObject> &prompts() const { return m_prompts; }
    const QList<QJsonObject> &resources() const { return m_resources; }
    const QList<QJsonObject> &resourceTemplates() const { return m_resourceTemplates; }

    // Sends a request; returns its upstream id. timeoutMs > 0 answers with an error and sends
    // notifications/cancelled when no answer came in time (progress does not extend it).
    qint64 request(const QString &method, const QJsonObject &params, Reply reply,
                   int timeoutMs = 0);
    // Sends notifications/cancelled for a pending request; its late answer is dropped and its
    // Reply is never called again.
    void cancel(qint64 id, const QString &reason = {});
    void notify(const QString &method, const QJsonObject &params = {});
    // Answers a request the upstream made (requestReceived).
    void respond(const QJsonValue &id, const QJsonObject &result);
    void respondError(const QJsonValue &id, int code, const QString &message);

    int pendingRequestCount() const { return int(m_pending.size()); }

Q_SIGNALS:
    void stateChanged(heartline::UpstreamClient::State state);
    // Initialized and every list fetched, once per start(); a later re-list emits toolsChanged,
    // promptsChanged or resourcesChanged instead.
    void ready();
    // A list was fetched again after the upstream's list_changed notification.
    void toolsChanged();
    void promptsChanged();
    void resourcesChanged();
    // A request from the upstream (sampling/createMessage, elicitation/create, roots/list...).
    // ping is answered here and never passed up. Answer with respond() or respondError().
    void requestReceived(const QJsonValue &id, const QString &method, const QJsonObject &params);
    // Every notification but progress (routed to its Reply) and list_changed (handled here):
    // notifications/message, notifications/resources/updated, ...
    void notificationReceived(const QString &method, const QJsonObject &params);
    void unresponsive();
    void responsive();
    // Something the upstream did wrong that was survived: an answer to an unknown id, a
    // non-JSON line, a malformed message. For the log, with the server's name added above.
    void problem(const QString &message);
    // The session ended: the channel closed (expected after stop()), initialize failed or timed
    // out. Pending requests have been answered with an error before this is emitted.
    void closed(const QString &reason, bool expected);

private:
    struct Pending;
    // The four lists, in the order kListSpecs names them.
    enum class ListKind { Tools, Prompts, Resources, ResourceTemplates };
    static constexpr int kListCount = 4;
    // One list being walked page by page; a list_changed while it walks queues one more walk.
    struct ListFetch
    {
        bool inFlight = false;
        bool queued = false;
        int pages = 0;
        QList<QJsonObject> items;
    };

    QString describe() const;
    void setState(State state);
    qint64 sendRequest(const QString &method, const QJsonObject &params, Reply reply,
                       int timeoutMs);
    void failSoon(qint64 id, const QString &message, Reply reply);
    Pending *takePending(qint64 id);
    void rememberCancelled(qint64 id);
    void sendCancelled(qint64 id, const QString &reason);
    void handleTimeout(qint64 id, int timeoutMs);

    void openChannel();
    void handleOpened();
    void handleMessage(const QJsonObject &message);
    void handleResponse(qint64 id, const QJsonObject &message);
    void handleUpstreamRequest(const QJsonValue &id, const QString &method,
                               const QJsonObject &params);
    void handleNotification(const QString &method, const QJsonObject &params);
    void handleProgress(const QJsonObject &params);
    void handleChannelClosed(const QString &reason, bool expected);

    void sendInitialize();
    void handleInitializeResult(const QJsonObject &result);
    void fetchList(ListKind kind);
    void requestPage(ListKind kind, const QString &cursor);
    void handlePage(ListKind kind, const QJsonObject &result);
    void handleListError(ListKind kind, int code, const QString &message);
    void finishList(ListKind kind, bool replace);
    QList<QJsonObject> &listFor(ListKind kind);
    void becomeReadyWhenListsAreIn();

    void sendPing();
    void handlePingAnswer(qint64 id);
    void handlePingOverdue();

    // Ends the session: timers stopped, channel closing, every pending answered, closed().
    void finish(const QString &reason, bool expected);
    void failAllPending(const QString &message);

    UpstreamChannel *m_channel;
    Options m_options;
    State m_state = State::Idle;
    QJsonObject m_serverInfo;
    QJsonObject m_serverCapabilities;
    QString m_revision;
    QString m_instructions;
    QList<QJsonObject> m_tools;
    QList<QJsonObject> m_prompts;
    QList<QJsonObject> m_resources;
    QList<QJsonObject> m_resourceTemplates;
    QHash<qint64, Pending *> m_pending;

    qint64 m_nextId = 1;
    // Between open() and the channel's closed(): the channel may still emit and must be closed.
    bool m_channelLive = false;
    bool m_closeRequested = false;
    // Started, waiting in the launch queue for its turn to open the channel.
    bool m_openQueued = false;
    std::array<ListFetch, kListCount> m_fetches;
    // Ids given up on (cancelled or timed out) whose late answers are dropped without a word.
    // Bounded: the oldest are forgotten first, and their answers become "unknown id".
    std::set<qint64> m_cancelled;
    // Pings not yet answered (bounded); any answer to one proves the upstream alive.
    std::set<qint64> m_pingIds;
    bool m_unresponsive = false;
    QTimer m_initializeTimer;
    QTimer m_pingTimer;
    QTimer m_pingDeadline;
};

} // namespace heartline
