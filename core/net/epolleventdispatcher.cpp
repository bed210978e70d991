#include "net/epolleventdispatcher.h"

#include "net/uringloop.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#include <cerrno>
#include <ctime>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Gateway::Net {

namespace {

qint64 steadyNowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr int MaxEventsPerWait = 256;

// Marker object for the wake-up eventfd.
class WakeMarker final : public IoHandler
{
public:
    void ioEvent(quint32) override {}
};
WakeMarker g_wakeMarker;

thread_local EpollEventDispatcher *t_current = nullptr;

} // namespace

// All socket notifiers on one descriptor share one epoll registration (level-triggered).
struct EpollEventDispatcher::NotifierEntry final : IoHandler
{
    EpollEventDispatcher *dispatcher = nullptr;
    int fd = -1;
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
    QSocketNotifier *exception = nullptr;
    bool registered = false;
    void ioEvent(quint32 events) override { dispatcher->dispatchNotifier(this, events); }
};

namespace {
// Entries removed while an epoll batch is being dispatched are freed after the batch.
thread_local std::vector<IoHandler *> t_deadEntries;
thread_local quint64 t_loopSerial = 0;
thread_local std::vector<std::pair<IoHandler *, quint32>> t_postedIoEvents;
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &g_wakeMarker;
    epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &ev);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (t_current == this)
        t_current = nullptr;
    m_uring.reset(); // before the epoll descriptor it polls
    qDeleteAll(m_notifiers);
    // Events posted for the next iteration have no loop left to run in; their handlers may be
    // gone with their owners.
    t_postedIoEvents.clear();
    for (IoHandler *dead : t_deadEntries)
        delete dead;
    t_deadEntries.clear();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
}

UringLoop *EpollEventDispatcher::uring()
{
    if (!m_uringTried) {
        m_uringTried = true;
        m_uring = UringLoop::create(m_epollFd);
    }
    return m_uring.get();
}

quint64 EpollEventDispatcher::loopSerial()
{
    return t_loopSerial;
}

EpollEventDispatcher *EpollEventDispatcher::current()
{
    if (t_current)
        return t_current;
    auto *dispatcher = qobject_cast<EpollEventDispatcher *>(
        QAbstractEventDispatcher::instance(QThread::currentThread()));
    t_current = dispatcher;
    return dispatcher;
}

bool EpollEventDispatcher::addFd(int fd, IoHandler *handler, quint32 events)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EpollEventDispatcher::modifyFd(int fd, IoHandler *handler, quint32 events)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EpollEventDispatcher::removeFd(int fd)
{
    epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
}

void EpollEventDispatcher::deferDelete(IoHandler *handler)
{
    t_deadEntries.push_back(handler);
}

void EpollEventDispatcher::postIoEvent(IoHandler *handler, quint32 events)
{
    t_postedIoEvents.push_back({handler, events});
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    NotifierEntry *entry = m_notifiers.value(fd);
    if (!entry) {
        entry = new NotifierEntry;
        entry->dispatcher = this;
        entry->fd = fd;
        m_notifiers.insert(fd, entry);
    }
    switch (notifier->type()) {
    case QSocketNotifier::Read: entry->read = notifier; break;
    case QSocketNotifier::Write: entry->write = notifier; break;
    case QSocketNotifier::Exception: entry->exception = notifier; break;
    }
    updateNotifierEntry(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    NotifierEntry *entry = m_notifiers.value(fd);
    if (!entry)
        return;
    if (entry->read == notifier)
        entry->read = nullptr;
    else if (entry->write == notifier)
        entry->write = nullptr;
    else if (entry->exception == notifier)
        entry->exception = nullptr;
    updateNotifierEntry(fd);
}

void EpollEventDispatcher::updateNotifierEntry(int fd)
{
    NotifierEntry *entry = m_notifiers.value(fd);
    if (!entry)
        return;
    quint32 events = 0;
    if (entry->read)
        events |= EPOLLIN;
    if (entry->write)
        events |= EPOLLOUT;
    if (entry->exception)
        events |= EPOLLPRI;
    if (events == 0) {
        if (entry->registered)
            epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
        m_notifiers.remove(fd);
        entry->registered = false;
        t_deadEntries.push_back(entry); // may still be referenced by the current epoll batch
        return;
    }
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = entry;
    if (entry->registered) {
        if (epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
            epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev);
    } else {
        if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &ev);
        entry->registered = true;
    }
}

void EpollEventDispatcher::dispatchNotifier(NotifierEntry *entry, quint32 events)
{
    QEvent activation(QEvent::SockAct);
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && entry->read)
        QCoreApplication::sendEvent(entry->read, &activation);
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && entry->write)
        QCoreApplication::sendEvent(entry->write, &activation);
    if ((events & EPOLLPRI) && entry->exception)
        QCoreApplication::sendEvent(entry->exception, &activation);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Timer timer{timerId, interval, timerType, object, steadyNowNs() + interval * 1'000'000};
    m_timers.insert(timerId, timer);
    m_timerQueue.emplace(timer.deadlineNs, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.remove(timerId) > 0; // queue entries become stale and are skipped
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    QList<TimerInfo> list;
    for (const Timer &timer : m_timers) {
        if (timer.object == object)
            list.append(TimerInfo(timer.id, int(timer.interval), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    return int(std::max<qint64>(0, (it->deadlineNs - steadyNowNs()) / 1'000'000));
}

int EpollEventDispatcher::nextTimeoutMs() const
{
    // Skip stale queue entries without modifying (const); fireTimers() cleans them up.
    for (const auto &[deadline, id] : m_timerQueue) {
        const auto it = m_timers.constFind(id);
        if (it == m_timers.cend() || it->deadlineNs != deadline)
            continue;
        const qint64 delta = deadline - steadyNowNs();
        if (delta <= 0)
            return 0;
        return int(std::min<qint64>((delta + 999'999) / 1'000'000, INT_MAX));
    }
    return -1;
}

int EpollEventDispatcher::fireTimers()
{
    if (m_timerQueue.empty())
        return 0;
    const qint64 now = steadyNowNs();
    std::vector<int> due;
    while (!m_timerQueue.empty() && m_timerQueue.begin()->first <= now) {
        const auto [deadline, id] = *m_timerQueue.begin();
        m_timerQueue.erase(m_timerQueue.begin());
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->deadlineNs != deadline)
            continue; // stale
        // Reschedule first, so a timer that is stopped or restarted in its handler is consistent.
        qint64 next = deadline + it->interval * 1'000'000;
        if (next <= now)
            next = now + std::max<qint64>(it->interval, 0) * 1'000'000;
        it->deadlineNs = next;
        m_timerQueue.emplace(next, id);
        due.push_back(id);
    }
    int fired = 0;
    for (int id : due) {
        const auto it = m_timers.constFind(id);
        if (it == m_timers.cend())
            continue; // stopped by an earlier handler
        QTimerEvent event(id);
        QCoreApplication::sendEvent(it->object, &event);
        ++fired;
    }
    return fired;
}

void EpollEventDispatcher::wakeUp()
{
    if (m_wakePending.exchange(true))
        return;
    const quint64 one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.store(true);
    wakeUp();
}

bool EpollEventDispatcher::dispatchEpoll(QEventLoop::ProcessEventsFlags flags, int timeoutMs)
{
    epoll_event events[MaxEventsPerWait];
    int n = epoll_wait(m_epollFd, events, MaxEventsPerWait, timeoutMs);
    if (n < 0)
        n = 0; // EINTR
    // Level-triggered notifiers that stay ready are not announced again through the ring's poll:
    // look once more on the next iteration, until a look finds nothing.
    m_epollMayHaveMore = n > 0;
    ++t_loopSerial;
    bool handled = false;
    for (int i = 0; i < n; ++i) {
        auto *handler = static_cast<IoHandler *>(events[i].data.ptr);
        if (handler == &g_wakeMarker) {
            quint64 value;
            [[maybe_unused]] const auto r = ::read(m_wakeFd, &value, sizeof value);
            m_wakePending.store(false);
            continue;
        }
        if (flags.testFlag(QEventLoop::ExcludeSocketNotifiers)
            && dynamic_cast<NotifierEntry *>(handler))
            continue;
        handler->ioEvent(events[i].events);
        handled = true;
    }
    return handled;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    t_current = this;
    ++t_loopSerial;
    m_interrupt.store(false);
    emit awake();
    QCoreApplication::sendPostedEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);

    bool handled = false;
    if (!t_postedIoEvents.empty()) {
        // Handlers may post again while these run: take the list first.
        const auto posted = std::exchange(t_postedIoEvents, {});
        for (const auto &[handler, events] : posted)
            handler->ioEvent(events);
        handled = true;
    }

    for (IoHandler *dead : t_deadEntries)
        delete dead;
    t_deadEntries.clear();

    if (m_interrupt.load())
        return false;

    const bool canWait = flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_wakePending.load()
                         && t_postedIoEvents.empty();
    int timeout = 0;
    if (canWait) {
        timeout = nextTimeoutMs();
        emit aboutToBlock();
    }

    if (UringLoop *ring = uring()) {
        // Wait on the ring: receives complete there, and the epoll set (notifiers, the wake-up
        // eventfd, write readiness) reports through its poll on the epoll descriptor.
        ring->wait(m_epollMayHaveMore ? 0 : timeout);
        if (canWait)
            emit awake();
        ++t_loopSerial;
        bool epollReady = m_epollMayHaveMore;
        if (ring->dispatch(&epollReady))
            handled = true;
        if (epollReady && dispatchEpoll(flags, 0))
            handled = true;
    } else {
        if (dispatchEpoll(flags, timeout))
            handled = true;
        if (canWait)
            emit awake();
    }
    ++t_loopSerial;
    if (fireTimers() > 0)
        handled = true;
    return handled;
}

} // namespace Gateway::Net
