// Smoke test of claimtrail through openapi-typescript types and the openapi-fetch client.
//
// generated/claimtrail.d.ts is generated from openapi/openapi.json by clients/run (never
// committed). Needs CLAIMTRAIL_URL (e.g. http://127.0.0.1:8097) and CLAIMTRAIL_TOKEN (a token
// with the write scope). Type-checked by tsc in strict mode.

import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/claimtrail.js";

type Claim = components["schemas"]["Claim"];
type Problem = components["schemas"]["Problem"];
type ProblemCode = components["schemas"]["ProblemCode"];

const baseUrl = requireEnv("CLAIMTRAIL_URL").replace(/\/+$/, "");
const token = requireEnv("CLAIMTRAIL_TOKEN");

// Every 200 of a GET also lists text/csv, application/x-ndjson and application/ld+json with no
// schema, which openapi-typescript types as `unknown`; a union with `unknown` is `unknown`, so
// `data` would lose its type. Telling openapi-fetch which media types this client reads keeps
// `data` as the JSON schema and `error` as the problem+json schema.
type Media = "application/json" | "application/problem+json";
const reader = createClient<paths, Media>({ baseUrl });
const writer = createClient<paths, Media>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** The call failed with this status and an RFC 9457 problem with this code. */
function expectProblem(
  r: { error?: Problem; response: Response },
  status: number,
  code: ProblemCode,
): Problem {
  assert.equal(r.response.status, status);
  assert.match(r.response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const p = r.error;
  assert.ok(p, "no problem body");
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.ok(p.title && p.detail);
  return p;
}

const steps: [string, () => Promise<void>][] = [];
const step = (name: string, fn: () => Promise<void>): void => {
  steps.push([name, fn]);
};

let firstPage: Claim[] = [];
let created: { id: string; etag: string } | undefined;

step("list claims filtered by claimant, then follow next_cursor", async () => {
  const r1 = await reader.GET("/v1/claims", { params: { query: { claimant: ["goldman-sachs"], limit: 2 } } });
  assert.equal(r1.response.status, 200);
  assert.ok(r1.data, `no data: ${JSON.stringify(r1.error)}`);
  const page1 = r1.data;
  assert.equal(page1.data.length, 2);
  assert.ok(page1.data.every((c) => c.claimant.id === "goldman-sachs"));
  const cursor = page1.next_cursor;
  assert.ok(typeof cursor === "string" && cursor.length > 0, "expected a next_cursor");
  // The Link header names the same next page.
  const link = r1.response.headers.get("link") ?? "";
  const m = /^<([^>]*)>;\s*rel="next"/.exec(link);
  assert.ok(m?.[1], `no rel=next Link: ${link}`);
  assert.equal(new URL(m[1], baseUrl).searchParams.get("cursor"), cursor);

  const r2 = await reader.GET("/v1/claims", {
    params: { query: { claimant: ["goldman-sachs"], limit: 2, cursor } },
  });
  assert.ok(r2.data, `no data: ${JSON.stringify(r2.error)}`);
  const page2 = r2.data.data;
  assert.ok(page2.length > 0, "second page is empty");
  assert.ok(page2.every((c) => c.claimant.id === "goldman-sachs"));
  const ids1 = new Set(page1.data.map((c) => c.id));
  assert.ok(!page2.some((c) => ids1.has(c.id)), "pages overlap");
  // Default order is newest first, across pages too.
  const dates = [...page1.data, ...page2].map((c) => c.stated_on);
  assert.deepEqual(dates, [...dates].sort().reverse());
  firstPage = page1.data;
});

step("get one claim", async () => {
  const listed = firstPage[0];
  assert.ok(listed);
  const { data, response } = await reader.GET("/v1/claims/{id}", { params: { path: { id: listed.id } } });
  assert.equal(response.status, 200);
  assert.ok(data);
  assert.equal(data.id, listed.id);
  assert.equal(data.claimant.id, "goldman-sachs");
  assert.deepEqual(data.text, listed.text);
  assert.ok(Object.keys(data.text).length > 0);
});

step("full-text search in Chinese: q=电力", async () => {
  const { data } = await reader.GET("/v1/claims", { params: { query: { q: "电力", limit: 10 } } });
  assert.ok(data);
  assert.ok(data.data.length >= 2, `only ${data.data.length} hits`);
  const snippets: string[] = [];
  for (const c of data.data) {
    const snippet = c.snippet;
    assert.ok(typeof snippet === "string" && snippet.includes("<mark>"), `${c.id}: ${snippet}`);
    assert.ok(c.snippet_lang?.startsWith("zh"), `${c.id}: ${c.snippet_lang}`);
    assert.ok(c.matched_in === "text" || c.matched_in === "quote", `${c.id}: ${c.matched_in}`);
    snippets.push(snippet);
  }
  assert.ok(snippets.some((s) => s.includes("<mark>电力</mark>")), snippets.join("\n"));
  assert.ok(data.data.some((c) => Object.values(c.text).some((t) => t.includes("电力"))));

  // Simplified 电力 also finds traditional 電力 (the dataset has a zh-TW text with it).
  const tw = await reader.GET("/v1/claims", { params: { query: { q: "电力", lang: ["zh-TW"] } } });
  assert.ok(tw.data);
  assert.ok(
    tw.data.data.some((c) => c.snippet_lang === "zh-TW" && c.snippet?.includes("<mark>電力</mark>")),
    JSON.stringify(tw.data.data.map((c) => [c.id, c.snippet])),
  );
});

step("what the evidence rests on: sources' checks, leads left out, a track record", async () => {
  const lead = "morgan-stanley-us-shortfall-55gw";
  const listed = await reader.GET("/v1/claims", { params: { query: { claimant: ["morgan-stanley"] } } });
  assert.ok(listed.data, `no data: ${JSON.stringify(listed.error)}`);
  assert.ok(!listed.data.data.some((c) => c.id === lead), "an unverified lead is not listed by default");
  const every = await reader.GET("/v1/claims", {
    params: { query: { claimant: ["morgan-stanley"], evidence: "any" } },
  });
  assert.ok(every.data, `no data: ${JSON.stringify(every.error)}`);
  const marked = every.data.data.find((c) => c.id === lead);
  assert.equal(marked?.evidence.rests_on, "unverified");

  const source = await reader.GET("/v1/sources/{id}", { params: { path: { id: "benzinga-2025-11-13-goldman" } } });
  assert.ok(source.data, `no data: ${JSON.stringify(source.error)}`);
  assert.equal(source.data.verification, "verified");
  assert.equal(source.data.checked_on, "2026-12-02");

  const record = await reader.GET("/v1/claimants/{id}/track-record", {
    params: { path: { id: "morgan-stanley" }, query: { due_within: 30 } },
  });
  assert.ok(record.data, `no data: ${JSON.stringify(record.error)}`);
  const shortfall = record.data.estimates.find((e) => e.indicator === "datacenter-power-shortfall");
  assert.deepEqual(
    shortfall?.revisions.map((r) => [r.from, r.to, r.direction]),
    [
      [36, 44, "up"],
      [44, 47, "up"],
    ],
  );
  assert.equal(record.data.predictions.due_within_days, 30);
});

step("create a claim (bearer token)", async () => {
  const id = `smoke-ts-${randomUUID().slice(0, 12)}`;
  const text = { en: "Smoke test: 45 GW of new power by 2030.", "zh-CN": "冒烟测试:到2030年新增45吉瓦电力。" };
  const { data, error, response } = await writer.POST("/v1/claims", {
    body: {
      id,
      claimant: "goldman-sachs",
      kind: "prediction",
      text,
      stated_on: "2026-02-01",
      stated_precision: "day",
      horizon: { due_on: "2030-12-31", precision: "year" },
      topics: ["electricity"],
      quantities: [{ indicator: "datacenter-power-shortfall", subject: "US", value: 45, unit: "GW", qualifier: "about" }],
    },
  });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  assert.equal(data.id, id);
  assert.equal(response.headers.get("location"), `/v1/claims/${id}`);
  const etag = response.headers.get("etag");
  assert.ok(etag, "201 without ETag");
  assert.deepEqual(data.text, text);
  assert.equal(data.horizon?.due_on, "2030-12-31");
  const [q] = data.quantities;
  assert.ok(q && data.quantities.length === 1);
  assert.equal(q.unit, "GW");
  assert.equal(q.si_unit, "W");
  assert.equal(q.value_si, 45e9);
  assert.equal(data.note ?? null, null);
  created = { id, etag };
});

step("patch it (merge patch, If-Match), then clear the field with null", async () => {
  assert.ok(created);
  const { id, etag } = created;
  // openapi-fetch always sends Content-Type: application/json unless told otherwise; the
  // document gives PATCH only application/merge-patch+json, so say it.
  const mergePatch = { "Content-Type": "application/merge-patch+json" };
  const r = await writer.PATCH("/v1/claims/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    headers: mergePatch,
    body: { note: "Checked by the smoke test." },
  });
  assert.equal(r.response.status, 200, JSON.stringify(r.error));
  assert.ok(r.data);
  assert.equal(r.data.note, "Checked by the smoke test.");
  const newEtag = r.response.headers.get("etag");
  assert.ok(newEtag && newEtag !== etag);
  assert.equal(r.data.quantities[0]?.value_si, 45e9, "fields left out of the patch stay");

  // The old ETag is stale now: 412 precondition_failed, nothing changes.
  const stale = await writer.PATCH("/v1/claims/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    headers: mergePatch,
    body: { note: "lost" },
  });
  expectProblem(stale, 412, "precondition_failed");

  const cleared = await writer.PATCH("/v1/claims/{id}", {
    params: { path: { id } },
    headers: mergePatch,
    body: { note: null },
  });
  assert.equal(cleared.response.status, 200, JSON.stringify(cleared.error));
  assert.equal(cleared.data?.note, null);
  const again = await reader.GET("/v1/claims/{id}", { params: { path: { id } } });
  assert.equal(again.data?.note, null);
});

step("delete it (If-Match); then it is gone", async () => {
  assert.ok(created);
  const { id } = created;
  const current = await reader.GET("/v1/claims/{id}", { params: { path: { id } } });
  const etag = current.response.headers.get("etag");
  assert.ok(current.data && etag);
  const del = await writer.DELETE("/v1/claims/{id}", { params: { path: { id }, header: { "If-Match": etag } } });
  assert.equal(del.response.status, 204, JSON.stringify(del.error));
  const gone = await reader.GET("/v1/claims/{id}", { params: { path: { id } } });
  expectProblem(gone, 404, "claim_not_found");
});

step("errors are typed problem+json: 404, 400, 401", async () => {
  const notFound = await reader.GET("/v1/claims/{id}", { params: { path: { id: "no-such-claim-smoke" } } });
  const p404 = expectProblem(notFound, 404, "claim_not_found");
  assert.ok(p404.detail.includes("no-such-claim-smoke"));

  const bad = await reader.GET("/v1/claims", { params: { query: { limit: 0 } } });
  const p400 = expectProblem(bad, 400, "invalid_parameter");
  assert.deepEqual(p400.errors?.map((e) => e.field), ["limit"]);

  const anon = createClient<paths, Media>({ baseUrl, headers: { Authorization: "Bearer ct_not_a_token" } });
  const denied = await anon.POST("/v1/claims", {
    body: {
      claimant: "goldman-sachs",
      kind: "assertion",
      text: { en: "Never stored." },
      stated_on: "2026-02-01",
      stated_precision: "day",
      topics: [],
      quantities: [],
    },
  });
  expectProblem(denied, 401, "unauthorized");
});

let passed = 0;
for (const [name, fn] of steps) {
  try {
    await fn();
  } catch (e) {
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
    break;
  }
  passed++;
  console.log(`ok   ${name}`);
}
const failed = steps.length - passed; // a failed step also fails the ones after it, which need its result
console.log(`typescript: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
