package dev.warden.gateway.responses;

import static dev.warden.gateway.responses.ResponsesRequest.JSON;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the gateway's chat completion stream into the Responses API's events, one chat event at a time, as soon
 * as it comes: {@code response.created}, {@code response.in_progress}, then per output item
 * {@code response.output_item.added}, {@code response.content_part.added}, {@code response.output_text.delta}...
 * (or {@code response.function_call_arguments.delta}...) and their {@code .done} events, and last
 * {@code response.completed} (or {@code response.incomplete}, or {@code error} and {@code response.failed}).
 * Not thread-safe: a stream's events are written one after another.
 */
final class ResponseEvents {

    private final ResponseObject response;
    private int sequence;
    private boolean started;
    private boolean ended;
    /** The open message item (text arriving), or null. */
    private ObjectNode message;

    private final StringBuilder text = new StringBuilder();
    /** The open function call item (arguments arriving), or null. */
    private ObjectNode call;

    private final StringBuilder arguments = new StringBuilder();
    private int callIndex = -1;

    ResponseEvents(ResponseObject response) {
        this.response = response;
    }

    boolean ended() {
        return ended;
    }

    /** The events opening the stream; written before anything else, once. */
    byte[] start() {
        if (started) {
            return new byte[0];
        }
        started = true;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        emit(out, "response.created", JSON.createObjectNode().set("response", response.render("in_progress")));
        emit(out, "response.in_progress", JSON.createObjectNode().set("response", response.render("in_progress")));
        return out.toByteArray();
    }

    /** The events one chat SSE event makes: its {@code data} payload, {@code [DONE]} included. */
    byte[] onChatEvent(String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(start());
        if (ended) {
            return out.toByteArray();
        }
        if (data.equals("[DONE]")) {
            closeItems(out);
            String status = response.status();
            emit(
                    out,
                    status.equals("completed") ? "response.completed" : "response.incomplete",
                    JSON.createObjectNode().set("response", response.render(null)));
            ended = true;
            return out.toByteArray();
        }
        JsonNode chunk = JSON.readTree(data);
        if (chunk.has("error")) {
            JsonNode error = chunk.get("error");
            closeItems(out);
            ObjectNode event = JSON.createObjectNode();
            event.set(
                    "code",
                    error.path("code").isNull()
                            ? JSON.nullNode()
                            : error.path("code").deepCopy());
            event.put("message", error.path("message").asString(""));
            event.set(
                    "param",
                    error.path("param").isNull()
                            ? JSON.nullNode()
                            : error.path("param").deepCopy());
            emit(out, "error", event);
            response.failed(error);
            emit(out, "response.failed", JSON.createObjectNode().set("response", response.render(null)));
            ended = true;
            return out.toByteArray();
        }
        if (chunk.has("usage") && chunk.get("usage").isObject()) {
            response.usage(chunk.get("usage"));
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) != 0) {
                continue;
            }
            JsonNode delta = choice.path("delta");
            String content =
                    delta.path("content").isString() ? delta.path("content").stringValue() : "";
            if (!content.isEmpty()) {
                textDelta(out, content);
            }
            for (JsonNode toolCall : delta.path("tool_calls")) {
                toolCallDelta(out, toolCall);
            }
            if (choice.hasNonNull("finish_reason")) {
                String finish = choice.get("finish_reason").asString();
                if (finish.equals("content_filter") && message == null && call == null && text.isEmpty()) {
                    // nothing was released: the client reads the withholding as a refusal part
                    openMessage(out);
                }
                response.finish(finish, choice.get("content_filter_results"));
                closeItems(out);
            }
        }
        return out.toByteArray();
    }

    private void textDelta(ByteArrayOutputStream out, String delta) {
        closeCall(out);
        if (message == null) {
            openMessage(out);
        }
        text.append(delta);
        ObjectNode event = at(message);
        event.put("content_index", 0);
        event.put("delta", delta);
        event.putArray("logprobs");
        emit(out, "response.output_text.delta", event);
    }

    private void openMessage(ByteArrayOutputStream out) {
        message = ResponseObject.message(response.nextItemId("msg"), null, null, "in_progress");
        text.setLength(0);
        emit(out, "response.output_item.added", item(message));
        ObjectNode part = at(message);
        part.put("content_index", 0);
        part.set("part", ResponseObject.textPart(""));
        emit(out, "response.content_part.added", part);
    }

    private void toolCallDelta(ByteArrayOutputStream out, JsonNode toolCall) {
        closeMessage(out);
        int index = toolCall.path("index").asInt(callIndex + 1);
        JsonNode fn = toolCall.path("function");
        if (call == null
                || index != callIndex
                || toolCall.hasNonNull("id")
                        && !toolCall.get("id")
                                .asString()
                                .equals(call.path("call_id").asString())) {
            closeCall(out);
            callIndex = index;
            call = ResponseObject.functionCall(
                    response.nextItemId("fc"),
                    toolCall.path("id").asString(""),
                    fn.path("name").asString(""),
                    "",
                    "in_progress");
            arguments.setLength(0);
            emit(out, "response.output_item.added", item(call));
        }
        String more = fn.path("arguments").asString("");
        if (!more.isEmpty()) {
            arguments.append(more);
            ObjectNode event = at(call);
            event.put("delta", more);
            emit(out, "response.function_call_arguments.delta", event);
        }
    }

    private void closeItems(ByteArrayOutputStream out) {
        closeMessage(out);
        closeCall(out);
    }

    private void closeMessage(ByteArrayOutputStream out) {
        if (message == null) {
            return;
        }
        boolean withheld = "content_filter".equals(response.incompleteReason()) && text.isEmpty();
        ObjectNode done = at(message);
        done.put("content_index", 0);
        done.put("text", text.toString());
        done.putArray("logprobs");
        emit(out, "response.output_text.done", done);
        ObjectNode partDone = at(message);
        partDone.put("content_index", 0);
        partDone.set("part", ResponseObject.textPart(text.toString()));
        emit(out, "response.content_part.done", partDone);
        ObjectNode finished = ResponseObject.message(
                message.path("id").asString(),
                text.toString(),
                withheld ? "The response was withheld by the gateway's content filter." : null,
                "completed");
        response.output().add(finished);
        emit(out, "response.output_item.done", item(finished));
        message = null;
    }

    private void closeCall(ByteArrayOutputStream out) {
        if (call == null) {
            return;
        }
        ObjectNode done = at(call);
        done.put("name", call.path("name").asString());
        done.put("arguments", arguments.toString());
        emit(out, "response.function_call_arguments.done", done);
        ObjectNode finished = ResponseObject.functionCall(
                call.path("id").asString(),
                call.path("call_id").asString(),
                call.path("name").asString(),
                arguments.toString(),
                "completed");
        response.output().add(finished);
        emit(out, "response.output_item.done", item(finished));
        call = null;
    }

    /** {@code item_id} and {@code output_index} of an open item (it goes at the end of the output). */
    private ObjectNode at(ObjectNode item) {
        ObjectNode event = JSON.createObjectNode();
        event.put("item_id", item.path("id").asString());
        event.put("output_index", response.output().size());
        return event;
    }

    private ObjectNode item(ObjectNode item) {
        ObjectNode event = JSON.createObjectNode();
        int index = response.output().size();
        // a finished item was just appended; an added one is about to be
        if (item.path("status").asString("").equals("completed")) {
            index--;
        }
        event.put("output_index", index);
        event.set("item", item.deepCopy());
        return event;
    }

    private void emit(ByteArrayOutputStream out, String type, ObjectNode event) {
        ObjectNode data = JSON.createObjectNode();
        data.put("type", type);
        data.put("sequence_number", sequence++);
        data.setAll(event);
        out.writeBytes(("event: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(JSON.writeValueAsBytes(data));
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
    }
}
