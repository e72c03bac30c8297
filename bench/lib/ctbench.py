#!/usr/bin/env python3
"""Helpers for bench/run: data preparation, query picking, probing, wrk parsing, the report.

Runs with the virtualenv's Python (bench/.venv), whose pysqlite3 brings an SQLite new enough
for claimtrail's contentless-delete FTS5 tables (Debian's 3.40 cannot open them).
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import pysqlite3 as sqlite3  # SQLite 3.5x, same generation as the one in claimtrail
except ImportError:  # pragma: no cover
    import sqlite3


# --------------------------------------------------------------------------------------------
# small utilities


def ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def backup(src, dst):
    """A consistent page copy (WAL included); rowids are kept, unlike VACUUM INTO."""
    if os.path.exists(dst):
        os.remove(dst)
    s = ro(src)
    d = sqlite3.connect(dst)
    s.backup(d)
    d.close()
    s.close()


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def qs(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="")


def get(url, headers=None, timeout=600):
    """(status, headers, body bytes, seconds)."""
    req = urllib.request.Request(url, headers=headers or {})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            return r.status, dict(r.headers.items()), body, time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read(), time.perf_counter() - t


def get_json(url, headers=None):
    status, h, body, secs = get(url, headers)
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    return status, h, data, secs, len(body)


# --------------------------------------------------------------------------------------------
# derive: a smaller claimtrail database from a bigger one (for development, before
# `claimtrail generate` exists)


def cmd_derive(a):
    backup(a.src, a.dst)
    db = sqlite3.connect(a.dst)
    db.execute("pragma foreign_keys = off")
    db.execute("create temp table keep (id text primary key)")
    db.execute("insert into keep select id from claims order by rowid limit ?", (a.claims,))
    # Keep revision chains whole: whatever a kept claim supersedes is kept too.
    while True:
        n = db.execute(
            "insert or ignore into keep select c.supersedes from claims c join keep k on k.id = c.id "
            "where c.supersedes is not null and c.supersedes not in (select id from keep)"
        ).rowcount
        if n <= 0:
            break
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    for t in ("claim_texts", "claim_topics", "quantities", "appearances", "assessments", "claim_search_docs"):
        db.execute(f"delete from {t} where claim_id not in (select id from keep)")
    if "history" in tables:
        db.execute("delete from history where claim_id is not null and claim_id not in (select id from keep)")
    db.execute("delete from claims where id not in (select id from keep)")
    db.commit()
    bad = db.execute("pragma foreign_key_check").fetchall()
    if bad:
        sys.exit(f"derive: foreign key violations remain: {bad[:5]}")
    db.close()
    # The claim index is contentless: rebuild it from the tables with claimtrail itself.
    subprocess.run([a.bin, "reindex", "--database", a.dst], check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(a.dst)
    db.execute("vacuum")
    n = db.execute("select count(*) from claims").fetchone()[0]
    db.close()
    print(f"derive: {a.dst}: {n} claims")


# --------------------------------------------------------------------------------------------
# dsprep: Datasette's copy, with a full-text table built the way Datasette's docs recommend


def cmd_dsprep(a):
    """Datasette's own copy of the database: claimtrail's file is never touched.

    The FTS table follows Datasette's docs ("Configuring FTS using sqlite-utils", then
    "Configuring full-text search for a table or view" with fts_table/fts_pk in metadata).
    claims has no text column (texts live in claim_texts, one row per language, WITHOUT
    ROWID), so a plain table claim_fulltext holds, under each claim's rowid, the same material
    claimtrail indexes: every text, every appearance quote and note, the claimant's names and
    aliases.
    """
    t = time.time()
    backup(a.src, a.dst)
    db = sqlite3.connect(a.dst)
    db.execute("pragma journal_mode = delete")  # served with -i (immutable): no WAL
    db.executescript(
        """
        drop table if exists claim_fulltext;
        create table claim_fulltext (rowid integer primary key, text text);
        insert into claim_fulltext (rowid, text)
        select c.rowid, concat_ws(char(10),
            (select group_concat(text, char(10)) from claim_texts where claim_id = c.id),
            (select group_concat(concat_ws(char(10), quote, note), char(10))
               from appearances where claim_id = c.id),
            (select group_concat(value, char(10)) from json_each(k.names)),
            (select group_concat(alias, char(10)) from claimant_aliases where claimant_id = k.id))
        from claims c join claimants k on k.id = c.claimant_id;
        """
    )
    db.commit()
    db.close()
    subprocess.run(
        [a.sqlite_utils, "enable-fts", a.dst, "claim_fulltext", "text", "--fts5", "--tokenize", a.tokenize],
        check=True,
    )
    db = sqlite3.connect(a.dst)
    db.execute("pragma journal_mode = delete")
    db.close()
    meta = {
        "databases": {
            a.dbname: {
                "tables": {
                    "claims": {"fts_table": "claim_fulltext_fts", "fts_pk": "rowid"},
                }
            }
        }
    }
    dump(meta, a.metadata)
    print(f"dsprep: {a.dst} ready in {time.time() - t:.1f}s (FTS5, tokenize={a.tokenize})")


# --------------------------------------------------------------------------------------------
# pick: the concrete query parameters for one database

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z]{3,}")
STOP = set(
    """the and for with that this from will are was were its have has had not but than more
    about into over per can could would should may might been being also which who whom what
    when where while there their they them then than our out all any each other some such only
    own same too very just now new one two three you your his her she him get got via
    http https www com bulk""".split()
)


def closest(df, n, target):
    """The key whose document frequency is nearest to target (a share), in log terms."""
    best, bestd = None, None
    for k, c in df.items():
        if c <= 0:
            continue
        d = abs(math.log((c / n) / target))
        if bestd is None or d < bestd or (d == bestd and k < best):
            best, bestd = k, d
    return best


def cmd_pick(a):
    db = ro(a.db)
    n = db.execute("select count(*) from claims").fetchone()[0]
    if n == 0:
        sys.exit("pick: no claims")
    p = {"claims": n}

    p["claim_id"] = db.execute("select id from claims order by rowid limit 1 offset ?", (n // 2,)).fetchone()[0]
    cid, cn = db.execute(
        "select claimant_id, count(*) from claims group by claimant_id order by 2 desc, 1 limit 1"
    ).fetchone()
    p["claimant"], p["claimant_claims"] = cid, cn

    # A sample of each claim's search material (texts, quotes and notes, claimant names).
    step = max(1, math.ceil(n / a.sample))  # every step-th claim by rowid: the same sample every time
    rows = db.execute(
        """
        with s as (select id, claimant_id from claims where rowid % ? = 0)
        select (select group_concat(text, char(10)) from claim_texts where claim_id = s.id),
               (select group_concat(coalesce(quote, '') || char(10) || coalesce(note, ''), char(10))
                  from appearances where claim_id = s.id),
               (select names from claimants where id = s.claimant_id)
        from s
        """,
        (step,),
    ).fetchall()
    sample = len(rows)
    han_df, word_df, word_docs = {}, {}, {}
    for i, (texts, quotes, names) in enumerate(rows):
        material = "\n".join(x for x in (texts, quotes, names) if x)
        grams = set()
        for run in HAN.findall(material):
            for j in range(len(run) - 1):
                grams.add(run[j : j + 2])
        for g in grams:
            han_df[g] = han_df.get(g, 0) + 1
        words = {w for w in WORD.findall(material.lower()) if w not in STOP}
        for w in words:
            word_df[w] = word_df.get(w, 0) + 1
            word_docs.setdefault(w, []).append(i)
    p["sample"] = sample

    zh = closest(han_df, sample, 0.001)
    p["zh_term"] = zh
    p["zh_term_sample_share"] = han_df.get(zh, 0) / sample if zh else None
    ten = closest(word_df, sample, 0.10)
    p["en_term_10pct"] = ten
    p["en_term_sample_share"] = word_df.get(ten, 0) / sample if ten else None
    # Two words that occur together in about 1% of claims, from the 300 most frequent words.
    top = sorted(word_df, key=lambda w: (-word_df[w], w))[:300]
    bits = {}
    for w in top:
        b = bytearray((sample + 8) // 8)
        for i in word_docs[w]:
            b[i >> 3] |= 1 << (i & 7)
        bits[w] = int.from_bytes(b, "little")
    word_docs = bits
    pairs = {}
    for i, w1 in enumerate(top):
        for w2 in top[i + 1 :]:
            c = (word_docs[w1] & word_docs[w2]).bit_count()
            if c:
                pairs[(w1, w2)] = c
    pair = closest(pairs, sample, 0.01)
    p["en_two_words"] = f"{pair[0]} {pair[1]}" if pair else None
    p["en_two_words_sample_share"] = pairs[pair] / sample if pair else None

    # A quantity filter: the indicator with the most figures, values between its 45th and
    # 55th percentiles (in the indicator's SI unit).
    units = {"W": "W", "Wh": "Wh", "x": "x", "%": "%", "USD": "USD"}
    r = db.execute(
        "select indicator_id, si_unit, count(*) from quantities group by indicator_id, si_unit order by 3 desc, 1 limit 1"
    ).fetchone()
    if r and r[1] in units:
        ind, unit, qn = r
        vals = [v for (v,) in db.execute(
            "select value_si from quantities where indicator_id = ? order by value_si", (ind,))]
        lo = vals[int(len(vals) * 0.45)] if qn >= 20 else vals[0]
        hi = vals[min(len(vals) - 1, int(len(vals) * 0.55))] if qn >= 20 else vals[-1]
        p["quantity"] = {
            "indicator": ind, "figures": qn, "value_min": f"{lo!r}{units[unit]}",
            "value_max": f"{hi!r}{units[unit]}", "min_si": lo, "max_si": hi,
        }
    else:
        p["quantity"] = None

    # Export: the newest min(N, export_rows) claims, as a stated_since date.
    k = min(n, a.export_rows)
    since = db.execute("select stated_on from claims order by stated_on desc limit 1 offset ?", (k - 1,)).fetchone()[0]
    p["export_since"] = since
    p["export_rows"] = db.execute("select count(*) from claims where stated_on >= ?", (since,)).fetchone()[0]

    # Deep page: this many rows in (whole pages of 100 are walked to get there).
    p["deep_rows"] = max(100, int(n * a.deep_fraction) // 100 * 100)
    dump(p, a.out)
    print(json.dumps(p, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# probe: build each shape's URL, check it answers as expected, count its results


def first_ids_ct(data, field="id"):
    return [c.get(field) for c in data.get("data", [])] if isinstance(data, dict) else []


def ct_shapes(base, p, probe):
    lim = 20
    s = []

    def add(name, path, **kw):
        s.append(dict(name=name, path=path, headers=kw.pop("headers", []), expect=kw.pop("expect", 200), **kw))

    add("ceiling", "/healthz")
    add("claim_by_id", f"/v1/claims/{p['claim_id']}")
    add("claimant_page", "/v1/claims?" + qs({"claimant": p["claimant"], "sort": "-stated_on", "limit": lim}), list=True)
    add("claimant_page_gzip", s[-1]["path"], headers=["Accept-Encoding: gzip"])
    if probe.get("deep_cursor"):
        add("deep_page", "/v1/claims?" + qs({"sort": "-stated_on", "limit": lim, "cursor": probe["deep_cursor"]}), list=True, countable=False)
    if p.get("zh_term"):
        add("search_zh_2char", "/v1/claims?" + qs({"q": p["zh_term"], "sort": "-stated_on", "limit": lim}), list=True)
    if p.get("en_two_words"):
        add("search_en_2words", "/v1/claims?" + qs({"q": p["en_two_words"], "sort": "-stated_on", "limit": lim}), list=True)
    if p.get("en_term_10pct"):
        add("search_10pct_relevance", "/v1/claims?" + qs({"q": p["en_term_10pct"], "sort": "-relevance", "limit": lim}), list=True)
        add("search_10pct_date", "/v1/claims?" + qs({"q": p["en_term_10pct"], "sort": "-stated_on", "limit": lim}), list=True)
    q = p.get("quantity")
    if q:
        add("quantity_filter", "/v1/claims?" + qs({"indicator": q["indicator"], "value_min": q["value_min"], "value_max": q["value_max"], "limit": lim}), list=True)
    if probe.get("etag"):
        add("conditional_304", f"/v1/claims/{p['claim_id']}", headers=[f"If-None-Match: {probe['etag']}"], expect=304)
    return s


def ds_shapes(base, p, ctprobe, db):
    lim = 20
    s = []
    t = f"/{db}/claims.json?"

    def add(name, path, **kw):
        s.append(dict(name=name, path=path, headers=[], expect=200, **kw))

    add("ceiling", "/-/settings.json")
    add("claim_by_id", f"/{db}/claims/{urllib.parse.quote(p['claim_id'])}.json")
    add("claimant_page", t + qs({"claimant_id__exact": p["claimant"], "_sort_desc": "stated_on", "_size": lim, "_nocount": 1}), list=True)
    last = ctprobe.get("deep_last")
    if last:
        from datasette.utils import tilde_encode  # Datasette's documented _next format: sort value,pk

        token = f"{tilde_encode(last[0])},{tilde_encode(last[1])}"
        add("deep_page", t + qs({"_sort_desc": "stated_on", "_size": lim, "_nocount": 1, "_next": token}), list=True, countable=False)
    if p.get("zh_term"):
        add("search_zh_2char", t + qs({"_search": p["zh_term"], "_sort_desc": "stated_on", "_size": lim, "_nocount": 1}), list=True)
    if p.get("en_two_words"):
        add("search_en_2words", t + qs({"_search": p["en_two_words"], "_sort_desc": "stated_on", "_size": lim, "_nocount": 1}), list=True)
    if p.get("en_term_10pct"):
        add("search_10pct_relevance", t + qs({"_search": p["en_term_10pct"], "_size": lim, "_nocount": 1}), list=True,
            caveat="no relevance order in the table API: primary-key order")
        add("search_10pct_date", t + qs({"_search": p["en_term_10pct"], "_sort_desc": "stated_on", "_size": lim, "_nocount": 1}), list=True)
    q = p.get("quantity")
    if q:
        add("quantity_filter", f"/{db}/quantities.json?" + qs({"indicator_id__exact": q["indicator"], "value_si__gte": repr(q["min_si"]), "value_si__lte": repr(q["max_si"]), "_size": lim, "_nocount": 1}),
            list=True, id_column="claim_id",
            caveat="figures (quantities rows), not claims: the table API cannot join them to claims or sort by date")
    return s


def ds_rows(data, id_column="id"):
    if not isinstance(data, dict) or "rows" not in data:
        return []
    cols = data.get("columns") or []
    rows = data["rows"]
    if rows and isinstance(rows[0], dict):
        return [r.get(id_column) for r in rows]
    if id_column in cols:
        i = cols.index(id_column)
        return [r[i] for r in rows]
    return []


def cmd_probe(a):
    p = load(a.params)
    base = a.base.rstrip("/")
    out = {"server": a.server, "base": base}
    if a.server == "claimtrail":
        # Walk pages of 100 to reach the deep cursor, as a client would.
        t = time.time()
        cursor, rows, last, pages = None, 0, None, 0
        while rows < p["deep_rows"]:
            params = {"sort": "-stated_on", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            st, _, d, _, _ = get_json(f"{base}/v1/claims?{qs(params)}")
            if st != 200:
                sys.exit(f"probe: walking the cursor failed with {st}")
            pages += 1
            rows += len(d["data"])
            if d["data"]:
                last = (d["data"][-1]["stated_on"], d["data"][-1]["id"])
            cursor = d.get("next_cursor")
            if not cursor:
                break
        out["deep_cursor"], out["deep_last"], out["deep_depth"] = cursor, last, rows
        out["deep_walk"] = {"pages": pages, "seconds": round(time.time() - t, 2)}
        st, h, _, _, _ = get_json(f"{base}/v1/claims/{p['claim_id']}")
        out["etag"] = {k.lower(): v for k, v in h.items()}.get("etag")
        shapes = ct_shapes(base, p, out)
    else:
        ct = load(a.ctprobe)
        shapes = ds_shapes(base, p, ct, a.dbname)
        st, h, _, _, _ = get_json(f"{base}{shapes[1]['path']}")
        etag = {k.lower(): v for k, v in h.items()}.get("etag")
        if etag:  # Datasette 0.65 sends none for JSON; kept in case a version does
            shapes.append(dict(name="conditional_304", path=shapes[1]["path"], headers=[f"If-None-Match: {etag}"], expect=304))
    for s in shapes:
        hdrs = dict(x.split(": ", 1) for x in s["headers"])
        st, h, d, secs, nbytes = get_json(base + s["path"], hdrs)
        # A second time, warm: this is the latency shown as "one request".
        st, h, d, secs, nbytes = get_json(base + s["path"], hdrs)
        s["status"], s["single_ms"], s["bytes"] = st, round(secs * 1000, 2), nbytes
        s["ok"] = st == s["expect"]
        if not s["ok"]:
            s["error"] = (json.dumps(d)[:300] if d is not None else f"HTTP {st}")
        if s.get("list") and s["ok"]:
            s["ids"] = first_ids_ct(d) if a.server == "claimtrail" else ds_rows(d, s.get("id_column", "id"))
            s["dates"] = first_ids_ct(d, "stated_on") if a.server == "claimtrail" else ds_rows(d, "stated_on")
            if s.get("countable", True):
                if a.server == "claimtrail":
                    st2, _, d2, _, _ = get_json(base + s["path"] + "&count=true")
                    s["total"] = d2.get("total") if st2 == 200 and isinstance(d2, dict) else None
                else:
                    st2, _, d2, secs2, _ = get_json(base + s["path"].replace("&_nocount=1", ""))
                    s["total"] = d2.get("filtered_table_rows_count") if st2 == 200 and isinstance(d2, dict) else None
                    s["count_ms"] = round(secs2 * 1000, 1)
        elif s["name"] == "claim_by_id" and s["ok"]:
            s["ids"] = [p["claim_id"]] if a.server == "claimtrail" else ds_rows(d)
    out["shapes"] = shapes
    dump(out, a.out)
    for s in shapes:
        flag = "ok " if s["ok"] else "BAD"
        print(f"  {flag} {s['name']:<24} {s['status']} {s['single_ms']:>9.2f} ms  total={s.get('total', '-')}  {s.get('error', '')}")


def cmd_shapes(a):
    """Tab-separated: name, URL, header (or -), seconds — for bench/run's wrk loop.

    wrk counts only the requests that finish within its run, so a shape whose one request
    takes a second would finish none with 8 connections in a few seconds. Its run is
    lengthened to about 4 rounds of all connections (single-request time x connections /
    cores), at most --max-duration.
    """
    pr = load(a.probe)
    cores = os.cpu_count() or 1
    for s in pr["shapes"]:
        if s["ok"]:
            need = 4 * s["single_ms"] / 1000 * a.connections / cores
            secs = max(a.duration, min(a.max_duration, math.ceil(need)))
            print("\t".join([s["name"], pr["base"] + s["path"], s["headers"][0] if s["headers"] else "-", f"{secs}s"]))


# --------------------------------------------------------------------------------------------
# wrk output

UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def ms(tok):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", tok)
    return float(m.group(1)) * UNIT[m.group(2)] if m else None


def parse_wrk(text):
    r = {}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    r["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        r[f"p{pct}"] = ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([0-9.]+\w+)", text)
    r["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Running (\d+)s test", text)
    r["duration_s"] = int(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    r["timeouts"] = int(m.group(4)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["bad_status"] = int(m.group(1)) if m else 0
    return r


# --------------------------------------------------------------------------------------------
# report

LABELS = {
    "ceiling": "ceiling: `/healthz` (Datasette: `/-/settings.json`)",
    "claim_by_id": "claim by id",
    "claimant_page": "claimant, newest first, 20",
    "claimant_page_gzip": "claimant, newest first, 20, gzip",
    "deep_page": "deep cursor page, 20",
    "search_zh_2char": "search: 2-char Chinese, by date",
    "search_en_2words": "search: 2 English words, by date",
    "search_10pct_relevance": "search: ~10% term, by relevance",
    "search_10pct_date": "search: ~10% term, by date",
    "quantity_filter": "quantity filter",
    "conditional_304": "conditional GET → 304",
}

# Shapes Datasette has no counterpart for: it sends no ETag on JSON and compresses nothing.
CT_ONLY = ("claimant_page_gzip", "conditional_304")

def f_rps(x):
    return "–" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def f_ms(x):
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 1 else (f"{x:.2f}" if x < 100 else f"{x:,.0f}")


def f_ratio(x):
    if x is None:
        return "–"
    if x < 0.1:
        return f"{x:.2g}×"
    return f"{x:.2f}×" if x < 100 else f"{x:,.0f}×"


def f_mb(kb, before=None):
    if kb is None:
        return "–"
    if before is None:
        return f"{kb / 1024:.1f}"
    return f"{kb / 1024:.1f} (+{max(0, kb - before) / 1024:.1f})"


def f_size(b):
    return "–" if b is None else (f"{b / 1e6:,.1f} MB" if b >= 1e6 else f"{b / 1e3:.0f} kB")


def read_run(d):
    """One size's results: {server: {shape: {...wrk, rss}}}."""
    res = {}
    for server in ("claimtrail", "datasette"):
        sd = os.path.join(d, server)
        if not os.path.isdir(sd):
            continue
        res[server] = {}
        for f in sorted(os.listdir(sd)):
            if f.endswith(".wrk"):
                name = f[:-4]
                with open(os.path.join(sd, f), encoding="utf-8", errors="replace") as fh:
                    r = parse_wrk(fh.read())
                for ext, keys, conv in ((".rss", ("rss_kb", "rss_before_kb"), int), (".drain", ("drain_s",), float),
                                        (".cpu", ("wall_s", "server_cpu_s", "wrk_cpu_s", "other_cpu_s"), float)):
                    path = os.path.join(sd, name + ext)
                    if os.path.exists(path):
                        for key, txt in zip(keys, open(path).read().split()):
                            r[key] = conv(txt)
                res[server][name] = r
    return res


def overlap_note(ct, ds):
    a, b = ct.get("ids") or [], ds.get("ids") or []
    if not a and not b:
        return "both empty"
    if a == b:
        return "same page"
    if set(a) == set(b):
        return "same ids, other order"
    common = f"{len(set(a) & set(b))}/{max(len(a), len(b))} ids in common"
    da, db_ = ct.get("dates") or [], ds.get("dates") or []
    if da and da == db_:
        return f"same dates, ties broken otherwise ({common})"
    return common


def cmd_report(a):
    run = load(os.path.join(a.work, "run.json"))
    sizes = run["sizes"]
    L = []
    w = L.append
    w("# claimtrail benchmark\n")
    w(f"- Command: `{run['command']}`")
    w(f"- Date: {run['date']}")
    w(f"- Machine: {run['nproc']} cores, {run['cpu']}, {run['mem']} memory, {run['kernel']}")
    w(f"- claimtrail: `{run['bin']}` ({run['ct_version']}), release build, default settings "
      f"(workers = cores, 8 read connections, 30 s request timeout) except `CLAIMTRAIL_SEARCH_RATE=0` "
      f"(the per-address search rate limit: all load comes from one address), logging to a file")
    w(f"- Datasette {run['ds_version']} on SQLite {run['ds_sqlite']} (pysqlite3-binary), `datasette serve -i` "
      f"(immutable) {run['ds_settings']}; every table request adds `_size=20&_nocount=1`")
    w(f"- Load: wrk {run['wrk_version']}, `-t{run['threads']} -c{run['connections']} -d{run['duration']} "
      f"--timeout {run['timeout']} --latency`, loopback, one server at a time; wrk shares the "
      f"{run['nproc']} cores with the server. A shape whose single request is slow runs longer "
      f"(about 4 rounds of all connections, at most {run.get('max_duration', 60)} s; see notes), and the next "
      f"shape starts only when the server is idle again (servers finish abandoned requests).")
    w(f"- Peak RSS is VmHWM of the server process, reset (`echo 5 > /proc/PID/clear_refs`) before "
      f"each shape, so it is that shape's peak; (growth) is peak minus RSS when the shape started; latencies in ms.")
    w(f"- Load average when the run started: {run.get('loadavg', '?')}")
    busy = []
    for n in sizes:
        for server, shapes in read_run(os.path.join(a.work, "results", str(n))).items():
            for name, r in shapes.items():
                if r.get("wall_s") and (r.get("other_cpu_s") or 0) / r["wall_s"] > 0.1:
                    busy.append(f"{n}/{server}/{name}")
    if busy:
        w(f"- **Warning: other processes on this machine used over 10% of a core during {len(busy)} of the runs** "
          f"({', '.join(busy[:6])}{'…' if len(busy) > 6 else ''}): those figures understate the server, and comparisons "
          f"between them are less reliable. Rerun on an idle machine.")
    w("")
    summary = {}
    for n in sizes:
        d = os.path.join(a.work, "results", str(n))
        if not os.path.isdir(d):
            continue
        p = load(os.path.join(d, "params.json"))
        data = load(os.path.join(d, "data.json"))
        res = read_run(d)
        ctp = load(os.path.join(d, "probe-claimtrail.json")) if os.path.exists(os.path.join(d, "probe-claimtrail.json")) else {"shapes": []}
        dsp = load(os.path.join(d, "probe-datasette.json")) if os.path.exists(os.path.join(d, "probe-datasette.json")) else {"shapes": []}
        cts = {s["name"]: s for s in ctp["shapes"]}
        dss = {s["name"]: s for s in dsp["shapes"]}
        summary[n] = (res, cts, dss)
        w(f"## {p['claims']:,} claims\n")
        w(f"- Data: {data['origin']}; claimtrail DB {f_size(data['ct_db_bytes'])}"
          f"{' (+ WAL ' + f_size(data['ct_wal_bytes']) + ')' if data.get('ct_wal_bytes') else ''}; "
          f"Datasette's copy {f_size(data.get('ds_db_bytes'))} (a separate file: claimtrail's DB plus "
          f"`claim_fulltext` and its FTS5 table, built in {data.get('ds_prep_s', '?')} s)")
        q = p.get("quantity") or {}
        w(f"- Parameters (picked from the data): claimant `{p['claimant']}` ({p['claimant_claims']:,} claims), "
          f"claim `{p['claim_id']}`, Chinese term `{p.get('zh_term')}`, two words `{p.get('en_two_words')}`, "
          f"~10% term `{p.get('en_term_10pct')}`, quantity `{q.get('indicator')}` "
          f"{q.get('value_min')}..{q.get('value_max')}, deep cursor {ctp.get('deep_depth', 0):,} rows in "
          f"(walked in {ctp.get('deep_walk', {}).get('pages', '?')} pages of 100, "
          f"{ctp.get('deep_walk', {}).get('seconds', '?')} s)")
        w(f"- Server start to ready: claimtrail {data.get('ct_start_s', '?')} s, Datasette {data.get('ds_start_s', '?')} s; "
          f"RSS when ready: claimtrail {f_mb(data.get('ct_ready_kb'))} MB, Datasette {f_mb(data.get('ds_ready_kb'))} MB\n")
        ct, ds = res.get("claimtrail", {}), res.get("datasette", {})
        ceil = (ct.get("ceiling") or {}).get("rps")
        w("| shape | claimtrail req/s | p50 | p99 | peak RSS MB (growth) | Datasette req/s | p50 | p99 | peak RSS MB (growth) | claimtrail / Datasette | claimtrail / ceiling | notes |")
        w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for name in LABELS:
            c, s = ct.get(name), ds.get(name)
            if not c and not s and name not in cts:
                continue
            c = c or {}
            s = s or {}
            errs = []
            for who, r in (("ct", c), ("ds", s)):
                if r.get("bad_status"):
                    errs.append(f"{who}: {r['bad_status']} bad status")
                if r.get("socket_errors"):
                    errs.append(f"{who}: {r['socket_errors']} socket errors ({r.get('timeouts', 0)} timeouts)")
                if r.get("requests") == 0:
                    errs.append(f"{who}: no request finished within {run['duration']}")
                if r.get("duration_s") and r["duration_s"] > int(run["duration"].rstrip("s")):
                    errs.append(f"{who}: ran {r['duration_s']} s, {r.get('requests')} requests")
                if r.get("wall_s") and (r.get("other_cpu_s") or 0) / r["wall_s"] > 0.1:
                    errs.append(f"{who}: other processes used {100 * r['other_cpu_s'] / r['wall_s']:.0f}% of a core meanwhile")
                if (r.get("drain_s") or 0) >= 2:
                    errs.append(f"{who}: still busy {r['drain_s']:.0f} s after wrk stopped")
            for who, pr in (("ct", cts.get(name)), ("ds", dss.get(name))):
                if pr and not pr["ok"]:
                    errs.append(f"{who}: probe got {pr['status']}")
            if name == "claimant_page_gzip" and cts.get(name) and cts.get("claimant_page"):
                errs.append(f"{cts[name]['bytes']:,} bytes instead of {cts['claimant_page']['bytes']:,}")
            ratio = c["rps"] / s["rps"] if c.get("rps") and s.get("rps") else None
            r_s = f_ratio(ratio)
            if dss.get(name, {}).get("caveat") and ratio is not None:
                r_s += " †"
            ds_rps = f_rps(s.get("rps")) if s else ("n/a" if name in CT_ONLY else "–")
            w(f"| {LABELS[name]} | {f_rps(c.get('rps'))} | {f_ms(c.get('p50'))} | {f_ms(c.get('p99'))} | {f_mb(c.get('rss_kb'), c.get('rss_before_kb'))} "
              f"| {ds_rps} | {f_ms(s.get('p50'))} | {f_ms(s.get('p99'))} | {f_mb(s.get('rss_kb'), s.get('rss_before_kb'))} "
              f"| {r_s} | {f_ratio(c['rps'] / ceil) if c.get('rps') and ceil else '–'} | {'; '.join(errs)} |")
        ex = load(os.path.join(d, "export.json")) if os.path.exists(os.path.join(d, "export.json")) else {}
        w("")
        w("Export, timed with curl (one request, body to a file):\n")
        w(f"| export | rows | distinct ids | bytes | seconds | rows/s | peak RSS MB (growth) | HTTP | note |")
        w("|---|--:|--:|--:|--:|--:|--:|---|---|")
        for key, label in (("claimtrail", f"claimtrail NDJSON `format=ndjson&stated_since={p['export_since']}`"),
                           ("claimtrail_gzip", "claimtrail, the same with `Accept-Encoding: gzip` (`curl --compressed`; bytes as sent)"),
                           ("datasette", f"Datasette CSV `_stream=on&stated_on__gte={p['export_since']}` (claims table columns only: Datasette has no NDJSON and cannot embed texts)")):
            e = ex.get(key)
            if not e:
                continue
            rps = e["rows"] / e["seconds"] if e.get("seconds") else None
            note = []
            if e.get("distinct") is not None and e["distinct"] != p["export_rows"]:
                note.append(f"**expected {p['export_rows']:,} claims: {p['export_rows'] - e['distinct']:,} missing**" if e["distinct"] < p["export_rows"] else f"**expected {p['export_rows']:,}**")
            if e.get("distinct") is not None and e["rows"] != e["distinct"]:
                note.append(f"**{e['rows'] - e['distinct']:,} rows repeated**")
            w(f"| {label} | {e['rows']:,} | {e.get('distinct', 0):,} | {f_size(e['bytes'])} | {e['seconds']:.2f} | {f_rps(rps)} | {f_mb(e.get('rss_kb'), e.get('rss_before_kb'))} | {e['http']} | {'; '.join(note)} |")
        w("")
        w("Results compared (totals: claimtrail `count=true`; Datasette the same URL without `_nocount`):\n")
        w("| shape | claimtrail total | Datasette total | first page | one warm request, ms (ct / ds) | note |")
        w("|---|--:|--:|---|--:|---|")
        for name in LABELS:
            c, s = cts.get(name), dss.get(name)
            if not c or name == "ceiling" or name in CT_ONLY:
                continue
            note = []
            if s and s.get("caveat"):
                note.append("† " + s["caveat"])
            if s and c.get("total") is not None and s.get("total") is not None and c["total"] != s["total"]:
                if s["total"] < c["total"]:
                    note.append(f"**Datasette finds {c['total'] - s['total']:,} fewer**")
                else:
                    note.append(f"Datasette finds {s['total'] - c['total']:,} more")
            if name == "search_zh_2char" and s and s.get("total") is not None and c.get("total"):
                note.append("unicode61 (porter) keeps a run of Han characters as one token, so a 2-character term is found only where it stands alone")
            if name == "deep_page":
                note.append("Datasette breaks date ties by id ascending, claimtrail by id descending; same (date, id) key")
            if name == "claim_by_id":
                note.append("claimtrail embeds texts, claimant, topics, figures; Datasette returns the bare row")
            t_ct = c.get("total")
            t_ds = s.get("total") if s else None
            cmp_ = overlap_note(c, s) if s else "n/a"
            w(f"| {LABELS[name]} | {'–' if t_ct is None else f'{t_ct:,}'} | {'–' if t_ds is None else f'{t_ds:,}'} | {cmp_} "
              f"| {f_ms(c.get('single_ms'))} / {f_ms(s.get('single_ms')) if s else '–'} | {'; '.join(note)} |")
        w("")
        w("<details><summary>URLs</summary>\n")
        for name in LABELS:
            for who, pr in (("claimtrail", cts.get(name)), ("Datasette", dss.get(name))):
                if pr:
                    h = f" with `{pr['headers'][0]}`" if pr["headers"] else ""
                    w(f"- {name}, {who}: `{pr['path']}`{h}")
        w("\n</details>\n")
    if len(summary) >= 2:
        ks = sorted(summary)
        lo, hi = ks[0], ks[-1]
        w(f"## Slowdown from {lo:,} to {hi:,} claims\n")
        w("Ratio of the smaller run's req/s to the larger run's (above 1 = slower on more data); p50 ratio the other way round.\n")
        w("| shape | claimtrail req/s ratio | claimtrail p50 ratio | Datasette req/s ratio | Datasette p50 ratio |")
        w("|---|--:|--:|--:|--:|")
        for name in LABELS:
            row = []
            for server in ("claimtrail", "datasette"):
                a_ = summary[lo][0].get(server, {}).get(name, {})
                b_ = summary[hi][0].get(server, {}).get(name, {})
                row.append(f_ratio(a_["rps"] / b_["rps"]) if a_.get("rps") and b_.get("rps") else "–")
                row.append(f_ratio(b_["p50"] / a_["p50"]) if a_.get("p50") and b_.get("p50") else "–")
            if any(x != "–" for x in row):
                w(f"| {LABELS[name]} | " + " | ".join(row) + " |")
        w("")
    w("## Notes\n")
    w("- † marks a Datasette figure for a query it cannot express exactly (see the comparison tables); its ratio compares unlike work.")
    w("- Datasette answers no conditional GET (no ETag on JSON) and compresses nothing, so those shapes have no Datasette figure.")
    w("- Datasette serves its own copy of the database (a SQLite backup of claimtrail's file plus the FTS table), never claimtrail's file.")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    print(f"report: {a.out}")


def cmd_export_count(a):
    """Rows and distinct claim ids in an export file."""
    ids, rows = set(), 0
    if a.kind == "ndjson":
        with open(a.file, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rows += 1
                    try:
                        ids.add(json.loads(line).get("id"))
                    except ValueError:
                        pass
    else:
        import csv

        with open(a.file, newline="", encoding="utf-8-sig") as f:
            r = csv.reader(f)
            head = next(r, [])
            i = head.index("id") if "id" in head else 0
            for row in r:
                rows += 1
                ids.add(row[i] if len(row) > i else None)
    print(rows, len(ids))


def cmd_check(a):
    """Non-zero when claimtrail failed a shape: a probe with the wrong status, or errors under load."""
    run = load(os.path.join(a.work, "run.json"))
    bad = []
    for n in run["sizes"]:
        d = os.path.join(a.work, "results", str(n))
        pr = os.path.join(d, "probe-claimtrail.json")
        if not os.path.exists(pr):
            bad.append(f"{n}: claimtrail was not probed")
            continue
        for s in load(pr)["shapes"]:
            if not s["ok"]:
                bad.append(f"{n}: {s['name']} answered {s['status']}, expected {s['expect']}")
        for name, r in read_run(d).get("claimtrail", {}).items():
            if r.get("rps") is None or not r.get("requests"):
                bad.append(f"{n}: {name}: no request finished under load")
            elif r.get("bad_status") or r.get("socket_errors"):
                bad.append(f"{n}: {name}: {r['bad_status']} bad statuses, {r['socket_errors']} socket errors")
        ex = load(os.path.join(d, "export.json")).get("claimtrail", {}) if os.path.exists(os.path.join(d, "export.json")) else {}
        if ex.get("http") != 200 or not ex.get("rows"):
            bad.append(f"{n}: NDJSON export: HTTP {ex.get('http')}, {ex.get('rows')} rows")
    for b in bad:
        print("check: " + b, file=sys.stderr)
    if bad:
        sys.exit(1)
    print("check: claimtrail answered every shape")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("copy"); c.add_argument("src"); c.add_argument("dst")
    c = sub.add_parser("derive"); c.add_argument("src"); c.add_argument("dst"); c.add_argument("--claims", type=int, required=True); c.add_argument("--bin", required=True)
    c = sub.add_parser("dsprep"); c.add_argument("src"); c.add_argument("dst"); c.add_argument("--metadata", required=True); c.add_argument("--dbname", required=True); c.add_argument("--sqlite-utils", required=True); c.add_argument("--tokenize", default="porter")
    c = sub.add_parser("pick"); c.add_argument("db"); c.add_argument("out"); c.add_argument("--deep-fraction", type=float, default=0.5); c.add_argument("--export-rows", type=int, default=100000); c.add_argument("--sample", type=int, default=100000)
    c = sub.add_parser("probe"); c.add_argument("server", choices=["claimtrail", "datasette"]); c.add_argument("base"); c.add_argument("params"); c.add_argument("out"); c.add_argument("--ctprobe"); c.add_argument("--dbname", default="ds")
    c = sub.add_parser("shapes"); c.add_argument("probe"); c.add_argument("--duration", type=int, required=True); c.add_argument("--connections", type=int, required=True); c.add_argument("--max-duration", type=int, default=60)
    c = sub.add_parser("wrk"); c.add_argument("file")
    c = sub.add_parser("report"); c.add_argument("work"); c.add_argument("out")
    c = sub.add_parser("check"); c.add_argument("work")
    c = sub.add_parser("export-count"); c.add_argument("file"); c.add_argument("kind")
    a = ap.parse_args()
    if a.cmd == "copy":
        backup(a.src, a.dst)
    elif a.cmd == "wrk":
        print(json.dumps(parse_wrk(open(a.file).read())))
    else:
        globals()["cmd_" + a.cmd.replace("-", "_")](a)


if __name__ == "__main__":
    main()
