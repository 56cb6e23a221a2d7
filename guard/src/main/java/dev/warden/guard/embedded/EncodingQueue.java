package dev.warden.guard.embedded;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The encoder's work queue: windows of text from concurrent requests, run in shared ONNX batches, shared fairly.
 * <p>
 * <b>Fair share.</b> Each tenant has its own queue; within it each request has its own FIFO of texts. The runner
 * fills a batch by deficit round-robin over the tenants (a quantum of one full window's tokens per visit, so a
 * tenant of short texts gets as many tokens as a tenant of long ones), and within a tenant round-robin over its
 * requests, at most {@link Settings#windowsPerRequest} windows of one request per batch. A request of sixty long
 * messages therefore takes its turn like any other: another tenant's small request waits for at most the batch in
 * progress, not for the big one to finish.
 * <p>
 * <b>Micro-batching.</b> Whatever is queued when the runner is free goes into one run (up to
 * {@link Settings#batchTokens}), padded to the longest window in its run; windows of very different lengths are
 * split into separate runs so short prompts are not padded to 256 tokens. When the queue holds less than a full
 * batch the runner waits at most {@link Settings#maxWait} for more to arrive.
 * <p>
 * <b>Bounded, cancellable.</b> A text is refused ({@link EncoderBusyException}) when its tenant already has
 * {@link Settings#queuedWindowsPerTenant} windows waiting, or the queue {@link Settings#queuedWindows}. A
 * cancelled job (its request timed out, its client went away) has its queued windows dropped at once.
 * <p>
 * <b>Saturation.</b> The queue estimates its backlog in time (queued tokens over the measured encoding rate) and
 * reports since when it has stayed above {@link Settings#saturationBacklog}, for readiness and metrics.
 */
public final class EncodingQueue implements AutoCloseable {

    /**
     * @param runners                 threads that each run one batch at a time
     * @param batchTokens             word pieces (with [CLS]/[SEP]) in one batch at most
     * @param windowsPerRequest       windows of one request in one batch at most
     * @param maxWait                 how long a runner waits for a fuller batch when less than one is queued
     * @param queuedWindows           windows waiting at most in all
     * @param queuedWindowsPerTenant  windows waiting at most for one tenant
     * @param saturationBacklog       queued work (in encoder time) above which the queue counts as saturated
     */
    public record Settings(
            int runners,
            int batchTokens,
            int windowsPerRequest,
            Duration maxWait,
            int queuedWindows,
            int queuedWindowsPerTenant,
            Duration saturationBacklog) {

        public Settings {
            if (runners < 1
                    || batchTokens < SentenceEncoder.WINDOW_TOKENS + 2
                    || windowsPerRequest < 1
                    || queuedWindows < 1
                    || queuedWindowsPerTenant < 1) {
                throw new IllegalArgumentException("encoder queue settings out of range: runners " + runners
                        + ", batch tokens " + batchTokens + ", windows per request " + windowsPerRequest
                        + ", queued windows " + queuedWindows + ", per tenant " + queuedWindowsPerTenant);
            }
        }

        /**
         * For a 2-core host: one runner (its ONNX run uses the cores), batches of up to 2,048 tokens (8 full
         * windows, ~50-100 ms here) so a newcomer never waits long behind a batch, 4 windows per request per batch,
         * 0.2 ms batching wait, 8,192 windows queued in all and 2,048 per tenant, saturated above 1 s of backlog.
         */
        public static Settings defaults() {
            return new Settings(1, 2048, 4, Duration.ofNanos(200_000), 8192, 2048, Duration.ofSeconds(1));
        }
    }

    /** A text's windows in the queue; {@link #result()} completes with one vector per window, in order. */
    public static final class Job {
        private final TenantQueue tenant;
        private final RequestQueue request;
        private final List<long[]> windows;
        private final float[][] vectors;
        private final long enqueued;
        private final CompletableFuture<float[][]> result = new CompletableFuture<>();
        private int next;
        private int unfinished;
        private boolean cancelled;

        private Job(TenantQueue tenant, RequestQueue request, List<long[]> windows) {
            this.tenant = tenant;
            this.request = request;
            this.windows = windows;
            this.vectors = new float[windows.size()][];
            this.unfinished = windows.size();
            this.enqueued = System.nanoTime();
        }

        public CompletableFuture<float[][]> result() {
            return result;
        }

        private boolean hasQueued() {
            return !cancelled && next < windows.size();
        }
    }

    private static final class RequestQueue {
        final Object id;
        final ArrayDeque<Job> jobs = new ArrayDeque<>();
        long batchStamp = -1;
        int inBatch;

        RequestQueue(Object id) {
            this.id = id;
        }
    }

    private static final class TenantQueue {
        final String id;
        final ArrayDeque<RequestQueue> requests = new ArrayDeque<>();
        final Map<Object, RequestQueue> byRequest = new IdentityHashMap<>();
        int queuedWindows;
        long deficit;

        TenantQueue(String id) {
            this.id = id;
        }
    }

    private record Slot(Job job, int index, long[] window) {
        int tokens() {
            return window.length + 2;
        }
    }

    /** One full window: every visit of a tenant in the round-robin may take this many tokens. */
    private static final int QUANTUM = SentenceEncoder.WINDOW_TOKENS + 2;

    private final Function<List<long[]>, float[][]> model;
    private final Settings settings;
    private final Object lock = new Object();
    private final ArrayDeque<TenantQueue> ring = new ArrayDeque<>();
    private final Map<String, TenantQueue> tenants = new HashMap<>();
    private final List<Thread> runners = new ArrayList<>();
    private final AtomicLong encodedWindows = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong cancelledWindows = new AtomicLong();
    private volatile LongConsumer waitObserver = nanos -> {};
    private int queuedWindows;
    private long queuedTokens;
    private long batchStamp;
    /** Encoding rate in tokens per second over recent batches, all runners together; a guess until measured. */
    private double tokensPerSecond = 20_000;

    private long saturatedSince = -1;
    private boolean running = true;

    /** @param model runs a list of windows in one batch (e.g. {@link SentenceEncoder#embedWindows}) */
    public EncodingQueue(Function<List<long[]>, float[][]> model, Settings settings, String threadName) {
        this.model = model;
        this.settings = settings;
        for (int i = 0; i < settings.runners(); i++) {
            Thread t = new Thread(this::runLoop, threadName + "-" + (i + 1));
            t.setDaemon(true);
            runners.add(t);
            t.start();
        }
    }

    /** Called with each job's wait, enqueue to its first window starting, in nanoseconds (for metrics). */
    public void observeWaits(LongConsumer observer) {
        this.waitObserver = observer;
    }

    /** Queues the windows of one text; the job fails with {@link EncoderBusyException} when it does not fit. */
    public Job submit(EncoderCaller caller, List<long[]> windows) {
        synchronized (lock) {
            TenantQueue tenant = tenants.get(caller.tenant());
            int tenantQueued = tenant == null ? 0 : tenant.queuedWindows;
            if (!running
                    || queuedWindows + windows.size() > settings.queuedWindows()
                    || tenantQueued + windows.size() > settings.queuedWindowsPerTenant()) {
                rejected.incrementAndGet();
                Job refused = new Job(null, null, windows);
                refused.result.completeExceptionally(new EncoderBusyException(
                        !running
                                ? "the encoder is stopped"
                                : "the encoder queue is full (" + queuedWindows + " windows waiting, " + tenantQueued
                                        + " for this tenant)"));
                return refused;
            }
            if (tenant == null) {
                tenant = new TenantQueue(caller.tenant());
                tenants.put(tenant.id, tenant);
                ring.addLast(tenant);
            }
            RequestQueue request = tenant.byRequest.get(caller.request());
            if (request == null) {
                request = new RequestQueue(caller.request());
                tenant.byRequest.put(request.id, request);
                tenant.requests.addLast(request);
            }
            Job job = new Job(tenant, request, windows);
            request.jobs.addLast(job);
            tenant.queuedWindows += windows.size();
            queuedWindows += windows.size();
            for (long[] w : windows) {
                queuedTokens += w.length + 2;
            }
            updateSaturation(System.nanoTime());
            lock.notifyAll();
            return job;
        }
    }

    /** Drops the job's windows that have not started; its result completes cancelled. A no-op once finished. */
    public void cancel(Job job) {
        if (job.tenant == null) {
            return;
        }
        synchronized (lock) {
            if (job.result.isDone()) {
                return;
            }
            drop(job);
        }
        job.result.cancel(false);
    }

    private void drop(Job job) {
        if (job.cancelled) {
            return;
        }
        job.cancelled = true;
        int dropped = job.windows.size() - job.next;
        for (int i = job.next; i < job.windows.size(); i++) {
            queuedTokens -= job.windows.get(i).length + 2;
        }
        job.next = job.windows.size();
        job.tenant.queuedWindows -= dropped;
        queuedWindows -= dropped;
        cancelledWindows.addAndGet(dropped);
        removeIfIdle(job.tenant);
        updateSaturation(System.nanoTime());
    }

    /** What the queue holds and has done, for readiness and metrics. */
    public EncoderLoad load() {
        synchronized (lock) {
            long now = System.nanoTime();
            return new EncoderLoad(
                    queuedWindows,
                    queuedTokens,
                    tenants.size(),
                    backlog(),
                    saturatedSince < 0 ? Duration.ZERO : Duration.ofNanos(now - saturatedSince),
                    encodedWindows.get(),
                    batches.get(),
                    rejected.get(),
                    cancelledWindows.get());
        }
    }

    public Settings settings() {
        return settings;
    }

    private Duration backlog() {
        return Duration.ofNanos((long) (queuedTokens / tokensPerSecond * 1e9));
    }

    private void updateSaturation(long now) {
        boolean over = queuedWindows > 0 && backlog().compareTo(settings.saturationBacklog()) > 0;
        if (over && saturatedSince < 0) {
            saturatedSince = now;
        } else if (!over) {
            saturatedSince = -1;
        }
    }

    private void runLoop() {
        while (true) {
            List<Slot> batch;
            boolean roomLeft;
            synchronized (lock) {
                try {
                    while (running && queuedWindows == 0) {
                        lock.wait();
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (!running) {
                    return;
                }
                roomLeft = queuedTokens < settings.batchTokens();
            }
            // a short pause for more work to join a batch that is not full (parkNanos: Object.wait rounds up to
            // whole milliseconds); work that arrives meanwhile is simply queued
            if (roomLeft && !settings.maxWait().isZero()) {
                LockSupport.parkNanos(settings.maxWait().toNanos());
            }
            synchronized (lock) {
                if (!running) {
                    return;
                }
                batch = pick();
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
        }
    }

    /** Fills one batch: deficit round-robin over tenants, round-robin over each tenant's requests. */
    private List<Slot> pick() {
        long stamp = ++batchStamp;
        long now = System.nanoTime();
        List<Slot> batch = new ArrayList<>();
        int tokens = 0;
        int idleVisits = 0;
        while (!ring.isEmpty() && tokens < settings.batchTokens() && idleVisits < ring.size()) {
            TenantQueue tenant = ring.pollFirst();
            tenant.deficit = Math.min(tenant.deficit + QUANTUM, 2L * QUANTUM);
            boolean took = false;
            Slot slot;
            while (tokens < settings.batchTokens()
                    && (slot = nextSlot(tenant, stamp)) != null
                    && slot.tokens() <= tenant.deficit) {
                take(tenant, slot, stamp, now);
                tenant.deficit -= slot.tokens();
                tokens += slot.tokens();
                batch.add(slot);
                took = true;
            }
            idleVisits = took ? 0 : idleVisits + 1;
            if (tenant.queuedWindows > 0) {
                ring.addLast(tenant);
            } else {
                removeIfIdle(tenant);
            }
        }
        updateSaturation(now);
        return batch;
    }

    /** The next window of the tenant's first request that may still add to this batch, without taking it. */
    private Slot nextSlot(TenantQueue tenant, long stamp) {
        for (int i = 0, n = tenant.requests.size(); i < n; i++) {
            RequestQueue request = tenant.requests.peekFirst();
            while (!request.jobs.isEmpty() && !request.jobs.peekFirst().hasQueued()) {
                request.jobs.pollFirst();
            }
            if (request.jobs.isEmpty()) {
                tenant.requests.pollFirst();
                tenant.byRequest.remove(request.id);
                continue;
            }
            if (request.batchStamp == stamp && request.inBatch >= settings.windowsPerRequest()) {
                tenant.requests.addLast(tenant.requests.pollFirst());
                continue;
            }
            Job job = request.jobs.peekFirst();
            return new Slot(job, job.next, job.windows.get(job.next));
        }
        return null;
    }

    private void take(TenantQueue tenant, Slot slot, long stamp, long now) {
        Job job = slot.job();
        if (job.next == 0) {
            waitObserver.accept(now - job.enqueued);
        }
        job.next++;
        RequestQueue request = job.request;
        if (request.batchStamp != stamp) {
            request.batchStamp = stamp;
            request.inBatch = 0;
        }
        request.inBatch++;
        // the request goes to the back of its tenant's line after every window it gets
        if (tenant.requests.peekFirst() == request) {
            tenant.requests.addLast(tenant.requests.pollFirst());
        }
        tenant.queuedWindows--;
        queuedWindows--;
        queuedTokens -= slot.tokens();
    }

    private void removeIfIdle(TenantQueue tenant) {
        if (tenant.queuedWindows == 0 && tenants.get(tenant.id) == tenant) {
            tenants.remove(tenant.id);
            ring.remove(tenant);
        }
    }

    /** Runs a batch as one ONNX run per group of similar lengths (padding a 20-token prompt to 256 costs 10x). */
    private void run(List<Slot> batch) {
        batch.sort(Comparator.comparingInt(Slot::tokens));
        long start = System.nanoTime();
        int tokens = 0;
        int from = 0;
        while (from < batch.size()) {
            int to = from + 1;
            while (to < batch.size()
                    && batch.get(to).tokens() <= 2 * batch.get(from).tokens() + 16) {
                to++;
            }
            List<Slot> group = batch.subList(from, to);
            for (Slot s : group) {
                tokens += s.tokens();
            }
            runGroup(group);
            from = to;
        }
        long took = System.nanoTime() - start;
        batches.incrementAndGet();
        encodedWindows.addAndGet(batch.size());
        synchronized (lock) {
            double rate = tokens / Math.max(took / 1e9, 1e-6) * settings.runners();
            tokensPerSecond = 0.8 * tokensPerSecond + 0.2 * rate;
            updateSaturation(System.nanoTime());
        }
    }

    private void runGroup(List<Slot> group) {
        List<long[]> windows = new ArrayList<>(group.size());
        for (Slot s : group) {
            windows.add(s.window());
        }
        float[][] vectors;
        try {
            vectors = model.apply(windows);
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                for (Slot s : group) {
                    drop(s.job());
                }
            }
            for (Slot s : group) {
                s.job().result.completeExceptionally(e);
            }
            return;
        }
        List<Job> finished = new ArrayList<>();
        synchronized (lock) {
            for (int i = 0; i < group.size(); i++) {
                Job job = group.get(i).job();
                job.vectors[group.get(i).index()] = vectors[i];
                if (--job.unfinished == 0 && !job.cancelled) {
                    finished.add(job);
                }
            }
        }
        // completed outside the lock: the callers' continuations run here and may submit more work
        for (Job job : finished) {
            job.result.complete(job.vectors);
        }
    }

    /** Stops the runners (waiting for the batches in progress); queued jobs fail. */
    @Override
    public void close() {
        List<Job> abandoned = new ArrayList<>();
        synchronized (lock) {
            running = false;
            for (TenantQueue t : tenants.values()) {
                for (RequestQueue r : t.requests) {
                    abandoned.addAll(r.jobs);
                }
            }
            tenants.clear();
            ring.clear();
            queuedWindows = 0;
            queuedTokens = 0;
            lock.notifyAll();
        }
        for (Job job : abandoned) {
            job.result.completeExceptionally(new EncoderBusyException("the encoder is stopped"));
        }
        // wait for the batches in progress: the caller closes the ONNX session next, and a run on a closed
        // session crashes the process
        for (Thread t : runners) {
            t.interrupt();
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
