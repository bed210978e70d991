#pragma once

// The receive half of the worker's data path on io_uring (liburing).
//
// Why: relaying a small WebSocket message costs a proxy two receives, two sends and its share of
// an epoll_wait, almost all of it in the kernel. With a multishot receive the kernel reads each
// socket into a buffer of a shared pool as data arrives and queues a completion; the worker
// collects a whole batch of them with the one io_uring_enter() it waits in, so a relayed message
// needs no recv(), no epoll wake-up and no readiness check (measured on this project's machine,
// one pinned worker: ~10 % less proxy CPU per small message than epoll + recv, nginx's model).
// Sends stay plain non-blocking send() calls (TcpStream): asynchronous sends measured no better
// and would need every write's bytes kept alive until its completion.
//
// One UringLoop per worker thread, owned by its EpollEventDispatcher, which then waits on the
// ring instead of epoll_wait(); the epoll set (Qt's socket notifiers, the wake-up eventfd, write
// readiness) is watched through the ring by a multishot poll on the epoll descriptor.
//
// The pool: up to Buffers × BufferSize bytes, registered as a provided-buffer ring. Idle sessions
// hold none (memory per idle session does not grow); a completion lends its buffer to the stream
// until the owner has read it, then it goes back. When no buffer is free a receive ends with
// ENOBUFS: the pool grows (BufferStep more) or, at its limit, the receive is re-armed as soon as
// a buffer is returned.
//
// Requires Linux 6.1 (IORING_SETUP_DEFER_TASKRUN; multishot receive is 6.0). Where the ring
// cannot be set up, or APPGW_IO_URING=0 is set, create() returns nullptr and the dispatcher and
// its streams use epoll alone.

#include <QString>

#include <memory>
#include <vector>

struct io_uring;
struct io_uring_sqe;
struct io_uring_buf_ring;

namespace Gateway::Net {

class UringHandler
{
public:
    enum Op : quint8 { Receive = 1 };
    virtual ~UringHandler() = default;
    // A completion of a request this handler armed. flags: IORING_CQE_F_* bits (F_MORE: the
    // multishot request stays armed; F_BUFFER: buffer id in flags >> IORING_CQE_BUFFER_SHIFT).
    virtual void uringCompletion(Op op, int result, quint32 flags) = 0;
    // After armWhenBufferFree() found the pool empty: a buffer is back, arm again.
    virtual void uringBufferFree() {}
};

class UringLoop
{
    Q_DISABLE_COPY_MOVE(UringLoop)
public:
    static constexpr unsigned Buffers = 64; // at most; a power of two (a ring)
    // One receive at most: a 64 KiB WebSocket message with its frame header fits in one (with
    // 64 KiB buffers every such message took two receives and two sends each way: ~10 % more
    // CPU per message). Pages are touched only where data lands.
    static constexpr unsigned BufferSize = 128 * 1024;
    // Buffers handed to the kernel at the start; more (by this many) each time a receive finds
    // none free, up to Buffers. The ring reuses buffers in turn, so fewer in circulation means
    // fewer pages ever touched while the load is light (the memory an idle session seems to cost).
    static constexpr unsigned BufferStep = 16;

    // nullptr when io_uring is unavailable (old kernel, seccomp, io_uring_disabled) or turned off
    // with APPGW_IO_URING=0. Must be called on the thread that will use the ring.
    static std::unique_ptr<UringLoop> create(int epollFd);
    ~UringLoop();

    // Empty when worker threads will use io_uring, else why not ("turned off by APPGW_IO_URING=0",
    // "io_uring_queue_init: Operation not permitted", ...). Tries a ring once per process.
    static QString unavailableReason();

    // A multishot receive on fd into the pool; completions go to handler (Receive).
    void armReceive(UringHandler *handler, int fd);
    // Cancels handler's armed requests of op; they complete with -ECANCELED (or normally, if they
    // had already finished).
    void cancel(UringHandler *handler, UringHandler::Op op);
    const char *buffer(unsigned id) const { return m_pool + std::size_t(id) * BufferSize; }
    // Gives a lent buffer back to the pool.
    void releaseBuffer(unsigned id);
    // A receive that ended with ENOBUFS: true if a buffer is free (arm again now), else handler
    // hears uringBufferFree() when one is back.
    bool waitForBuffer(UringHandler *handler);
    // A handler whose stream is closed but has requests in flight: freed by its last completion
    // (the stream calls forget()), or with the loop.
    void keepUntilDone(UringHandler *handler) { m_orphans.push_back(handler); }
    void forget(UringHandler *handler);

    // Counts submissions to the kernel: a request queued at serial S is with the kernel once the
    // serial has moved past S.
    quint64 submissionSerial() const { return m_submissions; }
    // Hands what is queued to the kernel now (before a descriptor that a queued request names is
    // closed: the kernel resolves descriptors when it takes a request, and the number may be
    // reused by then).
    void submitNow();

    // Submits what was queued and waits for completions: timeoutMs -1 waits, 0 does not.
    void wait(int timeoutMs);
    // Delivers the completions that arrived; sets *epollReady when the epoll descriptor has
    // events. Returns whether any handler was called.
    bool dispatch(bool *epollReady);

private:
    UringLoop() = default;
    io_uring_sqe *nextSqe();
    void armEpollPoll();
    void addBuffers(unsigned count);

    std::unique_ptr<io_uring> m_ring;
    io_uring_buf_ring *m_bufRing = nullptr;
    char *m_pool = nullptr;
    unsigned m_free = 0;        // buffers in the ring
    unsigned m_circulating = 0; // buffers given to the ring so far (ids 0 .. m_circulating-1)
    quint64 m_submissions = 0;
    quint64 m_grownAt = 0; // the pool grew in this batch
    int m_epollFd = -1;
    std::vector<UringHandler *> m_starved; // waiting for a buffer
    std::vector<UringHandler *> m_orphans;
};

} // namespace Gateway::Net
