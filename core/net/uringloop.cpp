#include "net/uringloop.h"

#include <QByteArray>

#include <cerrno>
#include <cstring>

#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>

namespace Gateway::Net {

namespace {

constexpr unsigned RingEntries = 256; // submissions per batch before an early submit
constexpr unsigned BufferGroup = 0;
constexpr quint64 OpMask = 7;
constexpr quint64 EpollPollTag = 1; // user data of the poll on the epoll descriptor (no handler)
constexpr quint64 IgnoredTag = 2;   // cancel requests: their own completions mean nothing

quint64 tag(UringHandler *handler, UringHandler::Op op)
{
    return reinterpret_cast<quintptr>(handler) | op;
}

bool turnedOff()
{
    return qEnvironmentVariableIsSet("APPGW_IO_URING")
           && qEnvironmentVariable("APPGW_IO_URING") == QLatin1String("0");
}

// Sets up a ring with the flags the data path relies on; on failure returns the reason.
QString initRing(io_uring *ring)
{
    io_uring_params params{};
    // One thread submits and reaps (the worker); completions' task work runs only when it waits,
    // in one batch, instead of interrupting its send() calls.
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    const int rc = io_uring_queue_init_params(RingEntries, ring, &params);
    if (rc < 0)
        return QStringLiteral("io_uring_queue_init: %1")
            .arg(QString::fromLocal8Bit(std::strerror(-rc)));
    return {};
}

} // namespace

QString UringLoop::unavailableReason()
{
    static const QString reason = [] {
        if (turnedOff())
            return QStringLiteral("turned off by APPGW_IO_URING=0");
        io_uring ring;
        const QString why = initRing(&ring);
        if (why.isEmpty())
            io_uring_queue_exit(&ring);
        return why;
    }();
    return reason;
}

std::unique_ptr<UringLoop> UringLoop::create(int epollFd)
{
    if (!unavailableReason().isEmpty())
        return nullptr;
    std::unique_ptr<UringLoop> loop(new UringLoop);
    loop->m_ring = std::make_unique<io_uring>();
    if (!initRing(loop->m_ring.get()).isEmpty()) {
        loop->m_ring.reset();
        return nullptr;
    }
    // The pool and the ring that lends it to the kernel; pages are touched only when used.
    const std::size_t poolBytes = std::size_t(Buffers) * BufferSize;
    void *pool = ::mmap(nullptr, poolBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                        0);
    void *ringMem = ::mmap(nullptr, Buffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pool == MAP_FAILED || ringMem == MAP_FAILED) {
        if (pool != MAP_FAILED)
            ::munmap(pool, poolBytes);
        if (ringMem != MAP_FAILED)
            ::munmap(ringMem, Buffers * sizeof(io_uring_buf));
        return nullptr; // the destructor exits the ring
    }
    loop->m_pool = static_cast<char *>(pool);
    loop->m_bufRing = static_cast<io_uring_buf_ring *>(ringMem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<quintptr>(ringMem);
    reg.ring_entries = Buffers;
    reg.bgid = BufferGroup;
    if (io_uring_register_buf_ring(loop->m_ring.get(), &reg, 0) != 0)
        return nullptr;
    io_uring_buf_ring_init(loop->m_bufRing);
    loop->addBuffers(BufferStep);
    loop->m_epollFd = epollFd;
    loop->armEpollPoll();
    return loop;
}

UringLoop::~UringLoop()
{
    if (m_ring && m_ring->ring_fd >= 0)
        io_uring_queue_exit(m_ring.get()); // cancels what is still armed; no completions follow
    for (UringHandler *orphan : m_orphans)
        delete orphan;
    if (m_pool)
        ::munmap(m_pool, std::size_t(Buffers) * BufferSize);
    if (m_bufRing)
        ::munmap(m_bufRing, Buffers * sizeof(io_uring_buf));
}

io_uring_sqe *UringLoop::nextSqe()
{
    io_uring_sqe *sqe = io_uring_get_sqe(m_ring.get());
    if (!sqe) {
        // The submission queue is full (a burst of new sessions): hand it to the kernel now.
        submitNow();
        sqe = io_uring_get_sqe(m_ring.get());
    }
    return sqe;
}

void UringLoop::armEpollPoll()
{
    io_uring_sqe *sqe = nextSqe();
    io_uring_prep_poll_multishot(sqe, m_epollFd, POLLIN);
    io_uring_sqe_set_data64(sqe, EpollPollTag);
}

void UringLoop::armReceive(UringHandler *handler, int fd)
{
    io_uring_sqe *sqe = nextSqe();
    io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BufferGroup;
    io_uring_sqe_set_data64(sqe, tag(handler, UringHandler::Receive));
}

void UringLoop::cancel(UringHandler *handler, UringHandler::Op op)
{
    io_uring_sqe *sqe = nextSqe();
    io_uring_prep_cancel64(sqe, tag(handler, op), 0);
    io_uring_sqe_set_data64(sqe, IgnoredTag);
}

void UringLoop::addBuffers(unsigned count)
{
    count = qMin(count, Buffers - m_circulating);
    for (unsigned i = 0; i < count; ++i) {
        const unsigned id = m_circulating + i;
        io_uring_buf_ring_add(m_bufRing, m_pool + std::size_t(id) * BufferSize, BufferSize,
                              quint16(id), io_uring_buf_ring_mask(Buffers), int(i));
    }
    io_uring_buf_ring_advance(m_bufRing, int(count));
    m_circulating += count;
    m_free += count;
}

void UringLoop::releaseBuffer(unsigned id)
{
    io_uring_buf_ring_add(m_bufRing, m_pool + std::size_t(id) * BufferSize, BufferSize, quint16(id),
                          io_uring_buf_ring_mask(Buffers), 0);
    io_uring_buf_ring_advance(m_bufRing, 1);
    ++m_free;
    if (!m_starved.empty()) {
        for (UringHandler *handler : std::exchange(m_starved, {}))
            handler->uringBufferFree();
    }
}

bool UringLoop::waitForBuffer(UringHandler *handler)
{
    // The kernel found the ring empty (buffers returned since then may already be back): the
    // pool is too small for this load. One step per batch of completions: a burst of new
    // connections (each lends a buffer only until its owner has read it) should not inflate it.
    if (m_circulating < Buffers && m_grownAt != m_submissions) {
        addBuffers(BufferStep);
        m_grownAt = m_submissions;
    }
    if (m_free > 0)
        return true;
    m_starved.push_back(handler);
    return false;
}

void UringLoop::forget(UringHandler *handler)
{
    std::erase(m_orphans, handler);
    std::erase(m_starved, handler);
}

void UringLoop::submitNow()
{
    // With the completions' work run too: a cancelled receive lets go of its socket now.
    io_uring_submit_and_get_events(m_ring.get());
    ++m_submissions;
}

void UringLoop::wait(int timeoutMs)
{
    io_uring *ring = m_ring.get();
    ++m_submissions;
    if (timeoutMs == 0) {
        io_uring_submit_and_get_events(ring);
    } else if (timeoutMs < 0) {
        io_uring_submit_and_wait(ring, 1);
    } else {
        __kernel_timespec ts{timeoutMs / 1000, (timeoutMs % 1000) * 1'000'000LL};
        io_uring_cqe *cqe = nullptr;
        io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, nullptr);
    }
}

bool UringLoop::dispatch(bool *epollReady)
{
    // Take the batch first: handlers queue new requests and may close other streams meanwhile
    // (those are kept until their own completions, so every entry names a live handler).
    struct Completion
    {
        quint64 data;
        int result;
        quint32 flags;
    };
    Completion batch[256];
    bool handled = false;
    for (;;) {
        io_uring_cqe *cqes[256];
        const unsigned n = io_uring_peek_batch_cqe(m_ring.get(), cqes, 256);
        if (n == 0)
            return handled;
        for (unsigned i = 0; i < n; ++i)
            batch[i] = {cqes[i]->user_data, cqes[i]->res, cqes[i]->flags};
        io_uring_cq_advance(m_ring.get(), n);
        for (unsigned i = 0; i < n; ++i) {
            const Completion &c = batch[i];
            if (c.data == EpollPollTag) {
                *epollReady = true;
                if (!(c.flags & IORING_CQE_F_MORE))
                    armEpollPoll(); // the kernel ended the multishot poll (overflow): renew it
                continue;
            }
            if (c.data == IgnoredTag)
                continue;
            if (c.flags & IORING_CQE_F_BUFFER)
                --m_free;
            auto *handler = reinterpret_cast<UringHandler *>(c.data & ~OpMask);
            handler->uringCompletion(UringHandler::Op(c.data & OpMask), c.result, c.flags);
            handled = true;
        }
        if (n < 256)
            return handled;
    }
}

} // namespace Gateway::Net
