package dev.warden.guard.embedded;

import java.util.function.Function;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Who a piece of encoder work is for: the tenant and the request, carried in the Reactor context of the guard
 * call, so the {@link EncodingQueue} can share the encoder fairly between tenants and between one tenant's
 * requests, and so one tenant's encodings are never answered from another tenant's cache (which would tell it, by
 * timing, what others have sent). Work without a caller in its context (offline tools, tests) counts as the
 * {@link #ANONYMOUS} tenant, each call its own request.
 *
 * <pre>{@code
 * guards.run(input).contextWrite(EncoderCaller.forRequest(principal.tenantId()));
 * }</pre>
 *
 * @param tenant  the tenant id
 * @param request identity of one request (compared by identity only)
 */
public record EncoderCaller(String tenant, Object request) {

    public static final String ANONYMOUS = "";

    private static final Object KEY = EncoderCaller.class;

    public EncoderCaller {
        tenant = tenant == null ? ANONYMOUS : tenant;
    }

    /** Marks a Reactor chain as one new request of the tenant (every call makes a new request identity). */
    public static Function<Context, Context> forRequest(String tenant) {
        EncoderCaller caller = new EncoderCaller(tenant, new Object());
        return context -> context.put(KEY, caller);
    }

    static EncoderCaller from(ContextView context) {
        return context.getOrDefault(KEY, null) instanceof EncoderCaller c
                ? c
                : new EncoderCaller(ANONYMOUS, new Object());
    }
}
