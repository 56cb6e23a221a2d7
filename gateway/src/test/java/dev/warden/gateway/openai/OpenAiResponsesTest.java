package dev.warden.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.Choice;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes of OpenAI's response shapes as the gateway renders them: field order, nulls, escaping and the
 * SSE framing, so that a faster rendering cannot drift from what OpenAI clients parse.
 */
class OpenAiResponsesTest {

    private static final String HEAD = "{'id':'chatcmpl-1','object':'chat.completion.chunk','created':1700000000,"
            + "'model':'m','system_fingerprint':null,";
    private static final String TEXT_HEAD = "{'id':'cmpl-1','object':'text_completion','created':1700000000,"
            + "'model':'m','system_fingerprint':null,";
    /** Quotes, backslash, control characters, non-ASCII, a surrogate pair, HTML and a line separator. */
    private static final String TRICKY = "He said \"hi\"\\ \n\t\u0001 caf\u00e9 \uD83D\uDE00 </script> \u2028";

    private static final String TRICKY_JSON =
            "He said \\\"hi\\\"\\\\ \\n\\t\\u0001 caf\u00e9 \uD83D\uDE00 </script> \u2028";
    private static final List<TokenLogprob> LOGPROBS = List.of(
            new TokenLogprob(
                    "Hel",
                    -0.25,
                    List.of(new TokenLogprob.Alternative("Hel", -0.25), new TokenLogprob.Alternative("\"x", -1.5e-7))),
            new TokenLogprob("lo", 0.0, List.of()));

    private final OpenAiResponses chat = new OpenAiResponses(OpenAiResponses.Kind.CHAT, "chatcmpl-1", 1700000000L, "m");
    private final OpenAiResponses text = new OpenAiResponses(OpenAiResponses.Kind.TEXT, "cmpl-1", 1700000000L, "m");

    @Test
    void aContentChunkEscapesTheTextAsJackson() {
        assertThat(utf8(chat.chunk(StreamChunk.text(0, TRICKY), false)))
                .isEqualTo("data: " + json(HEAD + "'choices':[{'index':0,'delta':{'content':'") + TRICKY_JSON
                        + json("'},'logprobs':null,'finish_reason':null}]}") + "\n\n");
        assertThat(utf8(text.chunk(StreamChunk.text(1, TRICKY), false)))
                .isEqualTo("data: " + json(TEXT_HEAD + "'choices':[{'index':1,'text':'") + TRICKY_JSON
                        + json("','logprobs':null,'finish_reason':null}]}") + "\n\n");
    }

    @Test
    void idAndModelAreEscapedToo() {
        OpenAiResponses odd = new OpenAiResponses(OpenAiResponses.Kind.CHAT, "chatcmpl-\"1", 5L, "m\u00e9/\\x");
        assertThat(utf8(odd.usageChunk(new Usage(1, 2))))
                .isEqualTo("data: {\"id\":\"chatcmpl-\\\"1\","
                        + "\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"m\u00e9/\\\\x\","
                        + "\"system_fingerprint\":null,\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n");
    }

    @Test
    void theFirstChatChunkAnnouncesTheRole() {
        assertThat(utf8(chat.roleChunk(0)))
                .isEqualTo(event(HEAD
                        + "'choices':[{'index':0,'delta':{'role':'assistant','content':''},'logprobs':null,"
                        + "'finish_reason':null}]}"));
    }

    @Test
    void withIncludeUsageEveryChunkHasANullUsageAndTheLastOneTheCounts() {
        assertThat(utf8(chat.chunk(StreamChunk.text(0, "a"), true)))
                .isEqualTo(event(HEAD
                        + "'choices':[{'index':0,'delta':{'content':'a'},'logprobs':null,'finish_reason':null}],"
                        + "'usage':null}"));
        assertThat(utf8(chat.chunk(StreamChunk.finish(0, FinishReason.LENGTH), true)))
                .isEqualTo(event(HEAD
                        + "'choices':[{'index':0,'delta':{'content':''},'logprobs':null,'finish_reason':'length'}],"
                        + "'usage':null}"));
        assertThat(utf8(chat.usageChunk(new Usage(12, 7))))
                .isEqualTo(event(
                        HEAD + "'choices':[],'usage':{'prompt_tokens':12,'completion_tokens':7,'total_tokens':19}}"));
        assertThat(utf8(text.usageChunk(new Usage(2, 1))))
                .isEqualTo(event(TEXT_HEAD
                        + "'choices':[],'usage':{'prompt_tokens':2,'completion_tokens':1,'total_tokens':3}}"));
    }

    @Test
    void toolCallsStreamWithTheirIndexAndNoContent() {
        StreamChunk calls = new StreamChunk(
                0,
                "",
                List.of(new ToolCall("call_1", "get", "{\"q\": \"x\"}"), new ToolCall("call_2", "put", "{}")),
                FinishReason.TOOL_CALLS,
                null,
                null);
        assertThat(utf8(chat.chunk(calls, false)))
                .isEqualTo(event(HEAD
                        + "'choices':[{'index':0,'delta':{'tool_calls':["
                        + "{'index':0,'id':'call_1','type':'function','function':{'name':'get',"
                        + "'arguments':'{\\'q\\': \\'x\\'}'}},"
                        + "{'index':1,'id':'call_2','type':'function','function':{'name':'put','arguments':'{}'}}]},"
                        + "'logprobs':null,'finish_reason':'tool_calls'}]}"));
    }

    @Test
    void logprobsInChatAndTextShapes() {
        StreamChunk chunk = new StreamChunk(0, "Hello", List.of(), null, LOGPROBS, null);
        assertThat(utf8(chat.chunk(chunk, false)))
                .isEqualTo(event(HEAD
                        + "'choices':[{'index':0,'delta':{'content':'Hello'},'logprobs':{'content':["
                        + "{'token':'Hel','logprob':-0.25,'bytes':null,'top_logprobs':[{'token':'Hel','logprob':-0.25,"
                        + "'bytes':null},{'token':'\\'x','logprob':-1.5E-7,'bytes':null}]},"
                        + "{'token':'lo','logprob':0.0,'bytes':null,'top_logprobs':[]}]},'finish_reason':null}]}"));
        assertThat(utf8(text.chunk(chunk, true)))
                .isEqualTo(event(TEXT_HEAD
                        + "'choices':[{'index':0,'text':'Hello','logprobs':{'tokens':['Hel','lo'],"
                        + "'token_logprobs':[-0.25,0.0],'top_logprobs':[{'Hel':-0.25,'\\'x':-1.5E-7},{}]},"
                        + "'finish_reason':null}],'usage':null}"));
    }

    @Test
    void aCutChunkSaysWhyBesideTheChoice() {
        OpenAiResponses cut = new OpenAiResponses(OpenAiResponses.Kind.CHAT, "chatcmpl-1", 1700000000L, "m")
                .contentFilter(List.of("S1", "S10"), "output hazard");
        assertThat(utf8(cut.chunk(StreamChunk.finish(0, FinishReason.CONTENT_FILTER), true)))
                .isEqualTo(
                        event(
                                HEAD
                                        + "'choices':[{'index':0,'delta':{'content':''},'logprobs':null,'finish_reason':'content_filter',"
                                        + "'content_filter_results':{'categories':['S1','S10'],'rule':'output hazard'}}],'usage':null}"));
        assertThat(utf8(text.chunk(StreamChunk.finish(0, FinishReason.CONTENT_FILTER), false)))
                .isEqualTo(event(
                        TEXT_HEAD + "'choices':[{'index':0,'text':'','logprobs':null,'finish_reason':'content_filter',"
                                + "'content_filter_results':{'categories':[]}}]}"));
    }

    @Test
    void nonStreamedCompletions() {
        Generation chatGeneration = new Generation(
                "m",
                List.of(
                        new Choice(0, "Hi", List.of(), FinishReason.STOP, null),
                        new Choice(1, "", List.of(new ToolCall("c", "f", "{\"a\":1}")), FinishReason.TOOL_CALLS, null),
                        new Choice(2, "x", List.of(), null, LOGPROBS.subList(1, 2))),
                new Usage(3, 4));
        assertThat(utf8(chat.completionBytes(chatGeneration)))
                .isEqualTo(json("{'id':'chatcmpl-1','object':'chat.completion','created':1700000000,'model':'m',"
                        + "'system_fingerprint':null,'choices':["
                        + "{'index':0,'message':{'role':'assistant','content':'Hi','refusal':null},'logprobs':null,"
                        + "'finish_reason':'stop'},"
                        + "{'index':1,'message':{'role':'assistant','content':null,'tool_calls':[{'id':'c',"
                        + "'type':'function','function':{'name':'f','arguments':'{\\'a\\':1}'}}],'refusal':null},"
                        + "'logprobs':null,'finish_reason':'tool_calls'},"
                        + "{'index':2,'message':{'role':'assistant','content':'x','refusal':null},'logprobs':{"
                        + "'content':[{'token':'lo','logprob':0.0,'bytes':null,'top_logprobs':[]}]},"
                        + "'finish_reason':'stop'}],"
                        + "'usage':{'prompt_tokens':3,'completion_tokens':4,'total_tokens':7}}"));

        OpenAiResponses cut = new OpenAiResponses(OpenAiResponses.Kind.CHAT, "chatcmpl-1", 1700000000L, "m")
                .contentFilter(List.of("S1"), "output hazard");
        assertThat(utf8(cut.completionBytes(new Generation(
                        "m", List.of(new Choice(0, "", List.of(), FinishReason.CONTENT_FILTER, null)), null))))
                .isEqualTo(json("{'id':'chatcmpl-1','object':'chat.completion','created':1700000000,'model':'m',"
                                + "'system_fingerprint':null,'choices':[{'index':0,'message':{'role':'assistant',"
                                + "'content':null,'refusal':'The response was withheld by the gateway@s content filter.'},"
                                + "'logprobs':null,'finish_reason':'content_filter',"
                                + "'content_filter_results':{'categories':['S1'],'rule':'output hazard'}}]}")
                        .replace('@', '\''));

        assertThat(utf8(text.completionBytes(new Generation(
                        "m", List.of(new Choice(0, TRICKY, List.of(), FinishReason.LENGTH, null)), new Usage(1, 2)))))
                .isEqualTo(json("{'id':'cmpl-1','object':'text_completion','created':1700000000,'model':'m',"
                                + "'system_fingerprint':null,'choices':[{'index':0,'text':'")
                        + TRICKY_JSON
                        + json("',"
                                + "'logprobs':null,'finish_reason':'length'}],"
                                + "'usage':{'prompt_tokens':1,'completion_tokens':2,'total_tokens':3}}"));
    }

    @Test
    void theStreamEndsWithDone() {
        assertThat(utf8(OpenAiResponses.done())).isEqualTo("data: [DONE]\n\n");
    }

    /** JSON written with single quotes for readability; {@code \'} stands for an escaped double quote. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace("\\'", "\u0000").replace('\'', '"').replace("\u0000", "\\\"");
    }

    private static String event(String singleQuoted) {
        return "data: " + json(singleQuoted) + "\n\n";
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
