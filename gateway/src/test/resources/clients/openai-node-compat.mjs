// The openai npm package, unchanged, against the gateway. Each case prints one JSON line; a stream prints
// {"case": ..., "first": ...} as soon as its first text arrives, and the Java side releases the upstream then.
import OpenAI from 'openai';

const env = process.env;
const client = (key) => new OpenAI({ baseURL: env.BASE_URL, apiKey: key, maxRetries: 0, timeout: 20000 });
const local = client(env.LOCAL_KEY);
const streaming = client(env.STREAM_KEY);
const out = (line) => process.stdout.write(JSON.stringify(line) + '\n');

async function main() {
  const chat = await local.chat.completions.create({ model: env.MODEL, messages: [{ role: 'user', content: 'Capital of France?' }] });
  out({ case: 'chat', content: chat.choices[0].message.content });

  let first = true;
  let text = '';
  const stream = await streaming.chat.completions.create({ model: env.MODEL, stream: true,
    stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream please' }] });
  let usage = null;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content ?? '';
    if (delta && first) {
      first = false;
      out({ case: 'chat-stream', first: delta });
    }
    text += delta;
    if (chunk.usage) usage = chunk.usage;
  }
  out({ case: 'chat-stream', text, usage: usage !== null });

  const response = await local.responses.create({ model: env.MODEL, input: 'Capital of France?' });
  out({ case: 'responses', text: response.output_text, status: response.status });

  first = true;
  text = '';
  let completed = false;
  const events = await streaming.responses.create({ model: env.MODEL, input: 'stream please', stream: true });
  for await (const event of events) {
    if (event.type === 'response.output_text.delta') {
      if (first) {
        first = false;
        out({ case: 'responses-stream', first: event.delta });
      }
      text += event.delta;
    }
    if (event.type === 'response.completed') completed = true;
  }
  out({ case: 'responses-stream', text, completed });

  const embedding = await local.embeddings.create({ model: env.EMBED_MODEL, input: 'The cat sat on the mat.' });
  out({ case: 'embeddings', dimensions: embedding.data[0].embedding.length });

  // A blocked prompt on each path: the client's typed error, with the gateway's code, message, categories and
  // decision header.
  const blockedCalls = {
    chat: () => local.chat.completions.create({ model: env.MODEL, messages: [{ role: 'user', content: env.BLOCKED_PROMPT }] }),
    'chat-stream': async () => {
      const s = await local.chat.completions.create({ model: env.MODEL, stream: true, messages: [{ role: 'user', content: env.BLOCKED_PROMPT }] });
      for await (const _ of s) { /* drain */ }
    },
    responses: () => local.responses.create({ model: env.MODEL, input: env.BLOCKED_PROMPT }),
    'responses-stream': async () => {
      const s = await local.responses.create({ model: env.MODEL, input: env.BLOCKED_PROMPT, stream: true });
      for await (const _ of s) { /* drain */ }
    },
  };
  for (const [path, call] of Object.entries(blockedCalls)) {
    try {
      await call();
      out({ case: 'blocked', path, thrown: false });
    } catch (err) {
      out({ case: 'blocked', path, thrown: true, badRequest: err instanceof OpenAI.BadRequestError, status: err.status,
        code: err.code, message: err.message, categories: err.error?.categories ?? null,
        decision: err.headers?.get?.('x-warden-decision') ?? null });
    }
  }

  const withheld = await local.chat.completions.create({ model: env.MODEL, messages: [{ role: 'user', content: 'Tell me about chemistry.' }] });
  out({ case: 'withheld', finish: withheld.choices[0].finish_reason, refusal: withheld.choices[0].message.refusal !== null,
    content: withheld.choices[0].message.content });
  const withheldResponse = await local.responses.create({ model: env.MODEL, input: 'Tell me about chemistry.' });
  out({ case: 'withheld-responses', status: withheldResponse.status, reason: withheldResponse.incomplete_details?.reason ?? null,
    refusal: withheldResponse.output[0]?.content?.[0]?.type ?? null });

  const holdback = client(env.HOLDBACK_KEY);
  const cut = await holdback.chat.completions.create({ model: env.MODEL, stream: true, messages: [{ role: 'user', content: 'count for me' }] });
  let cutText = '';
  let finish = null;
  for await (const chunk of cut) {
    cutText += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  out({ case: 'cut', finish, text: cutText, leaked: cutText.includes('sk-proj') });
  const cutEvents = await holdback.responses.create({ model: env.MODEL, input: 'count for me', stream: true });
  let last = null;
  cutText = '';
  for await (const event of cutEvents) {
    if (event.type === 'response.output_text.delta') cutText += event.delta;
    last = event;
  }
  out({ case: 'cut-responses', last: last?.type ?? null, reason: last?.response?.incomplete_details?.reason ?? null,
    text: cutText, leaked: cutText.includes('sk-proj') });

  const moderation = await local.moderations.create({ model: 'warden-guard', input: ['hello there', env.HAZARD, 'mail me at jane.doe@example.com'] });
  const [clean, hazard, pii] = moderation.results;
  out({ case: 'moderation', clean: clean.flagged, hazard: hazard.flagged,
    violence: hazard.categories.violence, violenceScore: hazard.category_scores.violence, selfHarm: hazard.categories['self-harm'],
    pii: pii.flagged, piiEmail: pii.categories['pii.email'] ?? null });
}

main().catch((err) => {
  out({ case: 'failed', error: String(err) });
  process.exit(1);
});
