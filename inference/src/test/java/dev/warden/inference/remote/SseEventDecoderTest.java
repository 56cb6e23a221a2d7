package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventDecoderTest {

    private static List<String> decode(byte[] bytes, int... cuts) {
        SseEventDecoder decoder = new SseEventDecoder();
        List<String> events = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            events.addAll(decoder.feed(Unpooled.wrappedBuffer(bytes, from, cut - from)));
            from = cut;
        }
        events.addAll(decoder.feed(Unpooled.wrappedBuffer(bytes, from, bytes.length - from)));
        events.addAll(decoder.finish());
        return events;
    }

    @Test
    void splitsEventsAtBlankLinesWhereverTheBuffersAreCut() {
        byte[] stream =
                "data: {\"a\":\"h\u00e9llo \uD83D\uDE00\"}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

        for (int cut = 1; cut < stream.length; cut++) {
            assertThat(decode(stream, cut))
                    .as("cut at %d", cut)
                    .containsExactly("{\"a\":\"h\u00e9llo \uD83D\uDE00\"}", "[DONE]");
        }
        assertThat(decode(stream, 3, 9, 17, 20, 21, 22, 30))
                .containsExactly("{\"a\":\"h\u00e9llo \uD83D\uDE00\"}", "[DONE]");
    }

    @Test
    void acceptsCrLfMultiLineDataCommentsAndOtherFields() {
        byte[] stream = (": keep-alive\r\n\r\nevent: message\r\nid: 7\r\ndata:first\r\ndata: second\r\n\r\n"
                        + "retry: 100\n\ndata: last")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(decode(stream)).containsExactly("first\nsecond", "last");
    }
}
