/* DWA channel classification: which channels are lossy DCT, RLE or
 * stored, and which R/G/B channels form Y'CbCr triples. */
#include "codec/dwa.h"

#define RULE(s, scheme, type, csc, ci) {s, sizeof(s) - 1, csc, scheme, ci, type}
#define H EXRQOI_PIXEL_HALF
#define F EXRQOI_PIXEL_FLOAT
#define U EXRQOI_PIXEL_UINT
#define DCT DWA_SCHEME_LOSSY_DCT
#define RLE DWA_SCHEME_RLE

static const dwa_rule k_default_rules[] = {
    RULE("R", DCT, H, 0, 0),  RULE("R", DCT, F, 0, 0),  RULE("G", DCT, H, 1, 0),
    RULE("G", DCT, F, 1, 0),  RULE("B", DCT, H, 2, 0),  RULE("B", DCT, F, 2, 0),
    RULE("Y", DCT, H, -1, 0), RULE("Y", DCT, F, -1, 0), RULE("BY", DCT, H, -1, 0),
    RULE("BY", DCT, F, -1, 0), RULE("RY", DCT, H, -1, 0), RULE("RY", DCT, F, -1, 0),
    RULE("A", RLE, U, -1, 0), RULE("A", RLE, H, -1, 0), RULE("A", RLE, F, -1, 0),
};

/* Files of version 0 and 1 carry no rules and were written with these. */
static const dwa_rule k_legacy_rules[] = {
    RULE("r", DCT, H, 0, 1),     RULE("r", DCT, F, 0, 1),     RULE("red", DCT, H, 0, 1),
    RULE("red", DCT, F, 0, 1),   RULE("g", DCT, H, 1, 1),     RULE("g", DCT, F, 1, 1),
    RULE("grn", DCT, H, 1, 1),   RULE("grn", DCT, F, 1, 1),   RULE("green", DCT, H, 1, 1),
    RULE("green", DCT, F, 1, 1), RULE("b", DCT, H, 2, 1),     RULE("b", DCT, F, 2, 1),
    RULE("blu", DCT, H, 2, 1),   RULE("blu", DCT, F, 2, 1),   RULE("blue", DCT, H, 2, 1),
    RULE("blue", DCT, F, 2, 1),  RULE("y", DCT, H, -1, 1),    RULE("y", DCT, F, -1, 1),
    RULE("by", DCT, H, -1, 1),   RULE("by", DCT, F, -1, 1),   RULE("ry", DCT, H, -1, 1),
    RULE("ry", DCT, F, -1, 1),   RULE("a", RLE, U, -1, 1),    RULE("a", RLE, H, -1, 1),
    RULE("a", RLE, F, -1, 1),
};

void exrqoi__dwa_rules_default(dwa_rules *r)
{
    memset(r, 0, sizeof *r);
    r->fixed = k_default_rules;
    r->nfixed = sizeof k_default_rules / sizeof k_default_rules[0];
}

void exrqoi__dwa_rules_legacy(dwa_rules *r)
{
    memset(r, 0, sizeof *r);
    r->fixed = k_legacy_rules;
    r->nfixed = sizeof k_legacy_rules / sizeof k_legacy_rules[0];
}

/* Decodes one serialized rule at p (n bytes left); returns its size or 0
 * when it is malformed. */
static size_t decode_rule(const uint8_t *p, size_t n, dwa_rule *out)
{
    const uint8_t *nul = (const uint8_t *)memchr(p, 0, n);
    if (!nul) return 0; /* suffix without terminator */
    size_t len = (size_t)(nul - p);
    /* OpenEXR reads at most 255 characters of a suffix; channel names
     * cannot be longer anyway. */
    if (len > 255 || len + 3 > n) return 0;
    uint8_t v = p[len + 1], type = p[len + 2];
    int csc = (int)(v >> 4) - 1; /* a set top bit is a negative index in OpenEXR */
    int scheme = (v >> 2) & 3;
    if (csc > 2 || scheme >= DWA_NUM_SCHEMES || type > EXRQOI_PIXEL_FLOAT) return 0;
    out->suffix = (const char *)p;
    out->suffix_len = len;
    out->csc_idx = (int8_t)csc;
    out->scheme = (uint8_t)scheme;
    out->case_insensitive = v & 1;
    out->type = type;
    return len + 3;
}

exrqoi_result exrqoi__dwa_rules_parse(exrqoi__err *err, const uint8_t *p, size_t n, dwa_rules *r)
{
    size_t off = 0;
    while (off < n) {
        dwa_rule tmp;
        size_t used = decode_rule(p + off, n - off, &tmp);
        if (!used)
            return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "DWA channel rule at byte %zu is malformed",
                                off);
        off += used;
    }
    memset(r, 0, sizeof *r);
    r->bytes = p;
    r->nbytes = n;
    return EXRQOI_OK;
}

bool exrqoi__dwa_rules_next(const dwa_rules *r, size_t *cursor, dwa_rule *out)
{
    if (r->fixed) {
        if (*cursor >= r->nfixed) return false;
        *out = r->fixed[(*cursor)++];
        return true;
    }
    if (*cursor >= r->nbytes) return false;
    size_t used = decode_rule(r->bytes + *cursor, r->nbytes - *cursor, out);
    if (!used) return false; /* cannot happen after parse */
    *cursor += used;
    return true;
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool exrqoi__dwa_rule_match(const dwa_rule *rule, const char *suffix, size_t suffix_len, int type)
{
    if (rule->type != type || rule->suffix_len != suffix_len) return false;
    if (!rule->case_insensitive) return memcmp(rule->suffix, suffix, suffix_len) == 0;
    /* Only the channel side is lowered: OpenEXR keeps a stored rule's
     * suffix as written. */
    for (size_t i = 0; i < suffix_len; i++)
        if (ascii_lower((unsigned char)suffix[i]) != (unsigned char)rule->suffix[i]) return false;
    return true;
}

/* Splits a channel name at its last '.'. */
static void split_name(const char *name, size_t *prefix_len, const char **suffix, size_t *suffix_len)
{
    const char *dot = strrchr(name, '.');
    if (dot) {
        *prefix_len = (size_t)(dot - name);
        *suffix = dot + 1;
    } else {
        *prefix_len = 0;
        *suffix = name;
    }
    *suffix_len = strlen(*suffix);
}

size_t exrqoi__dwa_plan_scratch(int nchan)
{
    size_t n = nchan > 0 ? (size_t)nchan : 1;
    /* scheme, in_csc, slot mask | csc triples | order, merge buffer */
    return 3 * n + 16 + n * sizeof(int[3]) + 2 * n * sizeof(int) + 16;
}

/* Byte order of prefixes (std::string's ordering), then channel order. */
static int prefix_cmp(const exrqoi__block_layout *b, int i, int j)
{
    const char *a = b->chans[i].name, *c = b->chans[j].name;
    const char *da = strrchr(a, '.'), *dc = strrchr(c, '.');
    size_t la = da ? (size_t)(da - a) : 0, lc = dc ? (size_t)(dc - c) : 0;
    int r = memcmp(a, c, la < lc ? la : lc);
    if (r) return r;
    if (la != lc) return la < lc ? -1 : 1;
    return (i > j) - (i < j);
}

static bool same_prefix(const exrqoi__block_layout *b, int i, int j)
{
    const char *a = b->chans[i].name, *c = b->chans[j].name;
    const char *da = strrchr(a, '.'), *dc = strrchr(c, '.');
    size_t la = da ? (size_t)(da - a) : 0, lc = dc ? (size_t)(dc - c) : 0;
    return la == lc && memcmp(a, c, la) == 0;
}

static void merge_sort(const exrqoi__block_layout *b, int *v, int *tmp, int n)
{
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = prefix_cmp(b, v[i], v[j]) <= 0 ? v[i++] : v[j++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        memcpy(v, tmp, (size_t)n * sizeof *v);
    }
}

void exrqoi__dwa_classify(const exrqoi__block_layout *b, const dwa_rules *rules, void *mem,
                          dwa_plan *plan)
{
    int n = b->nchan;
    size_t un = n > 0 ? (size_t)n : 1;
    uint8_t *base = (uint8_t *)mem;
    /* int arrays first to keep them aligned */
    plan->csc = (int(*)[3])base;
    int *order = (int *)(base + un * sizeof(int[3]));
    int *tmp = order + un;
    uint8_t *bytes = (uint8_t *)(tmp + un);
    plan->scheme = bytes;
    plan->in_csc = bytes + un;
    uint8_t *slots = bytes + 2 * un;
    plan->nchan = n;
    plan->ncsc = 0;

    for (int c = 0; c < n; c++) {
        size_t plen, slen;
        const char *suffix;
        split_name(b->chans[c].name, &plen, &suffix, &slen);
        plan->scheme[c] = DWA_SCHEME_UNKNOWN;
        plan->in_csc[c] = 0;
        slots[c] = 0;
        size_t cur = 0;
        dwa_rule r;
        while (exrqoi__dwa_rules_next(rules, &cur, &r)) {
            if (!exrqoi__dwa_rule_match(&r, suffix, slen, b->chans[c].type)) continue;
            plan->scheme[c] = r.scheme; /* the last match wins */
            if (r.csc_idx >= 0) slots[c] |= (uint8_t)(1u << r.csc_idx);
        }
        order[c] = c;
    }
    merge_sort(b, order, tmp, n);

    for (int s = 0; s < n;) {
        int e = s + 1;
        while (e < n && same_prefix(b, order[s], order[e])) e++;
        int idx[3] = {-1, -1, -1};
        for (int k = s; k < e; k++)
            for (int bit = 0; bit < 3; bit++)
                if (slots[order[k]] & (1u << bit)) idx[bit] = order[k];
        s = e;
        if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0) continue;
        const exrqoi__chan_layout *r = &b->chans[idx[0]], *g = &b->chans[idx[1]],
                                  *bl = &b->chans[idx[2]];
        if (r->x_sampling != g->x_sampling || r->x_sampling != bl->x_sampling ||
            r->y_sampling != g->y_sampling || r->y_sampling != bl->y_sampling)
            continue;
        memcpy(plan->csc[plan->ncsc++], idx, sizeof idx);
        for (int k = 0; k < 3; k++) plan->in_csc[idx[k]] = 1;
    }
}

size_t exrqoi__dwa_relevant_rules(const exrqoi__block_layout *b, uint8_t *out)
{
    size_t o = 2;
    for (size_t i = 0; i < sizeof k_default_rules / sizeof k_default_rules[0]; i++) {
        const dwa_rule *r = &k_default_rules[i];
        bool used = false;
        for (int c = 0; c < b->nchan && !used; c++) {
            size_t plen, slen;
            const char *suffix;
            split_name(b->chans[c].name, &plen, &suffix, &slen);
            used = exrqoi__dwa_rule_match(r, suffix, slen, b->chans[c].type);
        }
        if (!used) continue;
        memcpy(out + o, r->suffix, r->suffix_len);
        o += r->suffix_len;
        out[o++] = 0;
        out[o++] = (uint8_t)((((r->csc_idx + 1) & 15) << 4) | ((r->scheme & 3) << 2) |
                             (r->case_insensitive & 1));
        out[o++] = r->type;
    }
    exrqoi__put16(out, (uint16_t)o);
    return o;
}
