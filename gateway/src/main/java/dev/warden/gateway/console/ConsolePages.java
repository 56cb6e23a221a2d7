package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminIdentity;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The frame every console page shares (navigation, who is signed in, sign-out) and the CSRF field of forms. */
final class ConsolePages {

    static final MediaType HTML = MediaType.parseMediaType("text/html;charset=UTF-8");

    private ConsolePages() {}

    /** The store is JDBC: every call runs on the bounded elastic pool, never on the event loop. */
    static <T> Mono<T> blocking(java.util.concurrent.Callable<T> call) {
        return Mono.fromCallable(call).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
    }

    /** Who is signed in. */
    static Mono<AdminIdentity> who(ServerRequest request) {
        return request.principal().map(ConsoleUser::of);
    }

    /** The session's CSRF token as a hidden form field; every POST form carries it. */
    static Mono<String> csrfField(ServerWebExchange exchange) {
        Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
        if (token == null) {
            return Mono.just("");
        }
        return token.map(t -> "<input type=\"hidden\" name=\"" + Html.text(t.getParameterName()) + "\" value=\""
                        + Html.text(t.getToken()) + "\">")
                .defaultIfEmpty("");
    }

    /** A whole page for a signed-in user. */
    static Mono<ServerResponse> page(
            ServerRequest request, AdminIdentity who, String title, String active, String body, HttpStatus status) {
        return csrfField(request.exchange()).flatMap(csrf -> {
            StringBuilder h = new StringBuilder(body.length() + 2048);
            head(h, title);
            h.append("<header><span class=\"brand\">Warden console</span><nav>");
            nav(h, "/console", "Overview", active);
            nav(h, "/console/requests", "Requests", active);
            nav(h, "/console/chains", "Chain integrity", active);
            nav(h, "/console/retention", "Retention", active);
            nav(h, "/console/actions", "Admin actions", active);
            h.append("</nav><form method=\"post\" action=\"/console/logout\" class=\"who\">")
                    .append("<span id=\"who\">key ")
                    .append(Html.text(who.keyId()))
                    .append(" &middot; ")
                    .append(Html.text(who.role().id()));
            if (!who.grants().isEmpty()) {
                h.append(" &middot; ").append(Html.text(String.join(", ", who.grants())));
            }
            h.append("</span>")
                    .append(csrf)
                    .append("<button type=\"submit\" id=\"sign-out\">Sign out</button>")
                    .append("</form></header><main><h1>")
                    .append(Html.text(title))
                    .append("</h1>")
                    .append(body.replace(CSRF_PLACEHOLDER, csrf))
                    .append("</main></body></html>");
            return respond(h.toString(), status);
        });
    }

    /** Pages put this where a form needs the CSRF field; {@link #page} replaces it. */
    static final String CSRF_PLACEHOLDER = "<!--csrf-->";

    static void head(StringBuilder h, String title) {
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(Html.text(title))
                .append(" &middot; Warden console</title>")
                .append("<link rel=\"stylesheet\" href=\"/console/console.css\"></head><body>");
    }

    private static void nav(StringBuilder h, String href, String label, String active) {
        h.append("<a href=\"")
                .append(href)
                .append("\"")
                .append(label.equals(active) ? " class=\"active\"" : "")
                .append(">")
                .append(Html.text(label))
                .append("</a>");
    }

    static Mono<ServerResponse> respond(String html, HttpStatus status) {
        return ServerResponse.status(status).contentType(HTML).bodyValue(html.getBytes(StandardCharsets.UTF_8));
    }

    /** A bare page written straight to the response, for refusals made by the security chain. */
    static Mono<Void> writeRefusal(ServerWebExchange exchange, HttpStatus status, String title, String message) {
        StringBuilder h = new StringBuilder();
        head(h, title);
        h.append("<main><h1>")
                .append(Html.text(title))
                .append("</h1><p id=\"refusal\">")
                .append(Html.text(message))
                .append("</p><p><a href=\"/console\">Back to the console</a></p></main></body></html>");
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(HTML);
        return response.writeWith(
                Mono.just(response.bufferFactory().wrap(h.toString().getBytes(StandardCharsets.UTF_8))));
    }
}
