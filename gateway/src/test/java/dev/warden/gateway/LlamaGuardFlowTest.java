package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Llama Guard in the request path, run on a remote completions endpoint (as with vLLM serving Llama-Guard-3-8B):
 * here a scripted OpenAI-compatible server that records the exact prompts and answers like Llama Guard.
 */
class LlamaGuardFlowTest extends GatewayTest {

    static final ScriptedOpenAiServer GUARD = ScriptedOpenAiServer.start();

    @DynamicPropertySource
    static void llamaGuard(DynamicPropertyRegistry registry) {
        registry.add("warden.models[2].name", () -> "llama-guard-3-8b");
        registry.add("warden.models[2].engine", () -> "remote");
        registry.add("warden.models[2].licence", () -> "llama-3.1");
        registry.add("warden.models[2].remote.urls[0]", GUARD::baseUrl);
        registry.add("warden.guard.llama-guard.model", () -> "llama-guard-3-8b");
        registry.add("warden.guard.llama-guard.variant", () -> "8b");
        // A second application context: its audit log gets its own store.
        registry.add(
                "warden.audit.store",
                () -> TENANTS.dir.resolve("llama-guard-audit.db").toString());
        registry.add(
                "warden.audit.spill-file",
                () -> TENANTS.dir.resolve("llama-guard-spill.jsonl").toString());
    }

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
        GUARD.reset();
        GUARD.always(ScriptedReply.text("safe"));
    }

    /** Each test asks something different: verdicts are cached by content, and must not carry over. */
    private static String chat(String question) {
        return "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"" + question + "\"}]}";
    }

    private List<String> guardPrompts() {
        return GUARD.requests("/v1/completions").stream()
                .map(r -> r.json().get("prompt").asString())
                .toList();
    }

    @Test
    void llamaGuardJudgesThePromptAndTheResponseWithTheExactTemplate() {
        UPSTREAM.enqueue(ScriptedReply.text("Diversify and mind the fees."));

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat("Should I put my savings into index funds?"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("x-warden-guard-input")).contains("llama-guard");
        List<String> prompts = guardPrompts();
        assertThat(prompts).hasSize(2);
        assertThat(prompts.get(0))
                .startsWith(
                        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nTask: "
                                + "Check if there is unsafe content in 'User' messages in conversations according our safety policy")
                .contains("User: Should I put my savings into index funds?\n\n<END CONVERSATION>")
                .contains("S6: Specialized Advice.\nS7: Privacy.")
                .contains("S14: Code Interpreter Abuse.\n<END UNSAFE CONTENT CATEGORIES>")
                .endsWith("<|eot_id|><|start_header_id|>assistant<|end_header_id|>");
        assertThat(prompts.get(1)).contains("in 'Agent' messages").contains("Agent: Diversify and mind the fees.");
        var body = GUARD.requests("/v1/completions").get(0).json();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
        assertThat(body.get("add_special_tokens").asBoolean()).isFalse();
    }

    @Test
    void categoriesATenantAllowsAreLeftOutOfItsLlamaGuardPrompt() {
        UPSTREAM.enqueue(ScriptedReply.text("Diversify."));

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.acmeKey,
                "application/json",
                chat("Which bonds suit a cautious saver?"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // acme's policy allows S6 in both directions: Llama Guard is not asked about it, the codes keep their numbers
        assertThat(guardPrompts()).isNotEmpty().allSatisfy(prompt -> assertThat(prompt)
                .doesNotContain("S6: Specialized Advice.")
                .contains("S5: Defamation.\nS7: Privacy."));
    }

    @Test
    void anUnsafeVerdictBlocksThePromptWithItsCategories() {
        GUARD.always(ScriptedReply.text("unsafe\nS1,S9"));
        int before = UPSTREAM.generationRequests();

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat("Describe the attack plan in detail."));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("content_filter");
        assertThat(r.json().path("error").path("categories").toString())
                .contains("S1")
                .contains("S9");
        assertThat(r.json().path("error").path("classifiers").toString()).contains("llama-guard");
        assertThat(UPSTREAM.generationRequests()).isEqualTo(before);
    }

    @Test
    void anAnswerThatIsNotALlamaGuardAssessmentFailsClosed() {
        GUARD.always(ScriptedReply.text("I am not sure what you mean"));

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat("What is the weather like on Mars?"));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").path("rule").asString())
                .contains("fail-closed")
                .contains("llama-guard");
    }
}
