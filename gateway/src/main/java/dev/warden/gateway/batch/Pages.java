package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import java.util.List;
import java.util.function.Function;
import org.springframework.web.reactive.function.server.ServerRequest;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's cursor pages: {@code ?after=<id>&limit=n} (1 to 100, default 20) over a list already in order, answered
 * as {@code {"object": "list", "data", "first_id", "last_id", "has_more"}}.
 */
final class Pages {

    private Pages() {}

    static <T> ObjectNode of(ServerRequest request, List<T> all, Function<T, String> id, Function<T, ObjectNode> json) {
        int limit;
        try {
            limit = Integer.parseInt(request.queryParam("limit").orElse("20"));
        } catch (NumberFormatException e) {
            throw ApiErrors.invalidRequest("limit must be a whole number from 1 to 100", "limit");
        }
        if (limit < 1 || limit > 100) {
            throw ApiErrors.invalidRequest("limit must be a whole number from 1 to 100", "limit");
        }
        int from = 0;
        String after = request.queryParam("after").orElse(null);
        if (after != null) {
            for (int i = 0; i < all.size(); i++) {
                if (id.apply(all.get(i)).equals(after)) {
                    from = i + 1;
                    break;
                }
            }
        }
        List<T> page = all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit));
        ObjectNode root = StoredFile.JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        page.forEach(item -> data.add(json.apply(item)));
        root.put("first_id", page.isEmpty() ? null : id.apply(page.get(0)));
        root.put("last_id", page.isEmpty() ? null : id.apply(page.get(page.size() - 1)));
        root.put("has_more", from + page.size() < all.size());
        return root;
    }
}
