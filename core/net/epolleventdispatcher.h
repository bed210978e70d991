#pragma once

// An epoll based QAbstractEventDispatcher for the proxy worker threads.
//
// Why: Qt's stock UNIX dispatcher rebuilds a pollfd array of every registered socket notifier on
// each wake, so its cost grows with the number of open connections (product.md §7: a relay fell
// from ~60,000 to under 5,000 messages per second with 4,000 idle sessions). epoll only reports
// the descriptors that are ready.
//
// It runs everything Qt needs on a worker thread (posted and queued events, QTimers,
// QSocketNotifiers, so QTcpServer and QSslSocket work unchanged), and it offers a direct path for
// the proxy's own connections: addFd() registers a raw descriptor, edge-triggered, with an
// IoHandler that is called straight from the loop, with no QEvent or signal in between.

#include <QAbstractEventDispatcher>
#include <QHash>

#include <atomic>
#include <map>
#include <memory>

namespace Gateway::Net {

class UringLoop;

class IoHandler
{
public:
    virtual ~IoHandler() = default;
    // events: EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP / EPOLLRDHUP bits.
    virtual void ioEvent(quint32 events) = 0;
};

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // The dispatcher of the calling thread, when it is an EpollEventDispatcher.
    static EpollEventDispatcher *current();
    // Changes at every stage of a loop iteration of this thread's dispatcher (posted events,
    // socket events, timers); 0 when none runs. Lets callers read the clock once per batch,
    // as nginx caches its time per loop.
    static quint64 loopSerial();

    // Direct path. The handler must stay alive until removeFd() (handlers that go away during a
    // loop iteration must defer their deletion; see Worker's graveyard).
    bool addFd(int fd, IoHandler *handler, quint32 events);
    bool modifyFd(int fd, IoHandler *handler, quint32 events);
    void removeFd(int fd);
    // Deletes handler after the epoll batch being dispatched (its events may still name it).
    void deferDelete(IoHandler *handler);
    // Delivers `events` to handler at the start of the next loop iteration, before deferred
    // deletes (a handler that closed meanwhile must ignore it), as if epoll had reported them.
    void postIoEvent(IoHandler *handler, quint32 events);

    // The thread's io_uring (receives of TcpStreams), set up on first use by this thread;
    // nullptr when io_uring is not available (see UringLoop::create), and then epoll does all.
    UringLoop *uring();

    // QAbstractEventDispatcher
    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct NotifierEntry;
    struct Timer
    {
        int id;
        qint64 interval; // ms
        Qt::TimerType type;
        QObject *object;
        qint64 deadlineNs;
    };

    void updateNotifierEntry(int fd);
    int nextTimeoutMs() const;
    int fireTimers();
    void dispatchNotifier(NotifierEntry *entry, quint32 events);
    bool dispatchEpoll(QEventLoop::ProcessEventsFlags flags, int timeoutMs);

    int m_epollFd = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_interrupt{false};
    std::atomic<bool> m_wakePending{false};
    QHash<int, NotifierEntry *> m_notifiers; // fd -> notifiers on it
    QHash<int, Timer> m_timers;              // id -> timer
    std::multimap<qint64, int> m_timerQueue; // deadlineNs -> id (entries may be stale)
    std::unique_ptr<UringLoop> m_uring;
    bool m_uringTried = false;
    bool m_epollMayHaveMore = false; // the last epoll_wait returned events: ask again
};

} // namespace Gateway::Net
