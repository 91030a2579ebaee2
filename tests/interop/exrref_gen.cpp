// exrref_gen DIR: writes the interop test matrix with OpenEXR's C++ library.
// Test-only; the library never links OpenEXR.
//
// Why C++ and not OpenEXRCore's writer: 3.1.5's core cannot encode DWA, and the C++
// library is the writer that made nearly every EXR file in the wild (including its
// quirks, such as full-size sample tables in clipped deep NONE tiles), which is what
// a reader must agree with.
//
// File names are <compression>_<shape>.exr so the driver can select per codec.
// Pixel content is a pure function of (file, part, level, channel, x, y), so the
// output is identical on every run.

#include <ImfChannelList.h>
#include <ImfDeepFrameBuffer.h>
#include <ImfDeepScanLineOutputFile.h>
#include <ImfDeepScanLineOutputPart.h>
#include <ImfDeepTiledOutputFile.h>
#include <ImfDeepTiledOutputPart.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <ImfTiledOutputFile.h>
#include <ImfTiledOutputPart.h>

#include <ImfBoxAttribute.h>
#include <ImfCompressionAttribute.h>
#include <ImfDoubleAttribute.h>
#include <ImfFloatAttribute.h>
#include <ImfFloatVectorAttribute.h>
#include <ImfIntAttribute.h>
#include <ImfLineOrderAttribute.h>
#include <ImfMatrixAttribute.h>
#include <ImfPreviewImageAttribute.h>
#include <ImfStandardAttributes.h>
#include <ImfStringAttribute.h>
#include <ImfStringVectorAttribute.h>
#include <ImfVecAttribute.h>

#include <half.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <vector>

namespace {

using Imath::Box2i;
using Imath::V2i;

struct Codec {
    const char* name;
    Imf::Compression c;
    bool deepOk; // OpenEXR allows only NONE, RLE and ZIPS for deep parts
};

const Codec kCodecs[] = {
    {"none", Imf::NO_COMPRESSION, true},   {"rle", Imf::RLE_COMPRESSION, true},
    {"zips", Imf::ZIPS_COMPRESSION, true}, {"zip", Imf::ZIP_COMPRESSION, false},
    {"piz", Imf::PIZ_COMPRESSION, false},  {"pxr24", Imf::PXR24_COMPRESSION, false},
    {"b44", Imf::B44_COMPRESSION, false},  {"b44a", Imf::B44A_COMPRESSION, false},
    {"dwaa", Imf::DWAA_COMPRESSION, false}, {"dwab", Imf::DWAB_COMPRESSION, false},
};

// splitmix64: a well-mixed hash of the sample's coordinates.
uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t key(uint32_t seed, int ch, int x, int y, int s = 0)
{
    uint64_t k = seed;
    k = mix(k ^ ((uint64_t)(uint32_t)ch << 32));
    k = mix(k ^ (uint32_t)x);
    k = mix(k ^ ((uint64_t)(uint32_t)y << 20));
    return mix(k ^ (uint64_t)(uint32_t)s);
}

// Mostly smooth images (so codecs have something to compress and lossy codecs are
// exercised on realistic data) with sprinkled special values.
const uint16_t kHalfSpecial[] = {
    0x7c00, 0xfc00,         // +-Inf
    0x7e00, 0x7c01, 0xfe37, // NaNs with payloads
    0x0001, 0x03ff, 0x8200, // denormals
    0x8000, 0x0000,         // signed zeros
    0x7bff, 0xfbff,         // +-max
};

uint16_t halfSample(uint32_t seed, int ch, int x, int y, int s, bool specials)
{
    uint64_t r = key(seed, ch, x, y, s);
    if (specials && r % 13 == 0)
        return kHalfSpecial[(r >> 8) % (sizeof kHalfSpecial / sizeof kHalfSpecial[0])];
    float v = 0.5f + 0.45f * std::sin(0.21f * x + 0.05f * ch) * std::cos(0.17f * y - 0.3f * s);
    v *= 1.0f + 3.0f * ch;
    v += (float)((r >> 16) % 64) / 2048.0f; // a little noise
    return half(v).bits();
}

float floatSample(uint32_t seed, int ch, int x, int y, int s, bool specials)
{
    uint64_t r = key(seed, ch, x, y, s);
    if (specials && r % 11 == 0) {
        switch ((r >> 8) % 6) {
        case 0: return std::numeric_limits<float>::infinity();
        case 1: return -std::numeric_limits<float>::infinity();
        case 2: return std::numeric_limits<float>::quiet_NaN();
        case 3: return std::numeric_limits<float>::denorm_min() * 77.0f;
        case 4: return -0.0f;
        default: return 3.0e38f;
        }
    }
    return 100.0f * std::cos(0.07f * x) + 0.013f * y * y - 0.25f * s +
           (float)((r >> 16) % 1000) * 1e-4f;
}

uint32_t uintSample(uint32_t seed, int ch, int x, int y, int s)
{
    uint64_t r = key(seed, ch, x, y, s);
    if (r % 5 == 0) return (uint32_t)(r >> 32); // full range
    return (uint32_t)((x & 15) + 16 * (y & 15) + 1000 * ch);
}

struct ChanSpec {
    const char* name;
    Imf::PixelType type;
    int xs = 1, ys = 1;
    bool specials = true;
};

size_t typeSize(Imf::PixelType t) { return t == Imf::HALF ? 2 : 4; }

int divp(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

void fillSample(char* dst, Imf::PixelType t, uint32_t seed, int ch, int x, int y, int s,
                bool specials)
{
    if (t == Imf::HALF) {
        uint16_t v = halfSample(seed, ch, x, y, s, specials);
        std::memcpy(dst, &v, 2);
    } else if (t == Imf::FLOAT) {
        float v = floatSample(seed, ch, x, y, s, specials);
        std::memcpy(dst, &v, 4);
    } else {
        uint32_t v = uintSample(seed, ch, x, y, s);
        std::memcpy(dst, &v, 4);
    }
}

// Owns the pixel memory of one flat level and the frame buffer pointing into it.
struct FlatLevel {
    std::vector<std::vector<char>> bufs;
    Imf::FrameBuffer fb;

    FlatLevel(const std::vector<ChanSpec>& chans, const Box2i& dw, uint32_t seed)
    {
        for (size_t c = 0; c < chans.size(); ++c) {
            const ChanSpec& cs = chans[c];
            int x0 = divp(dw.min.x, cs.xs), y0 = divp(dw.min.y, cs.ys);
            int nx = divp(dw.max.x, cs.xs) - x0 + 1, ny = divp(dw.max.y, cs.ys) - y0 + 1;
            size_t ts = typeSize(cs.type);
            bufs.emplace_back((size_t)nx * ny * ts);
            std::vector<char>& b = bufs.back();
            for (int j = 0; j < ny; ++j)
                for (int i = 0; i < nx; ++i)
                    fillSample(b.data() + ((size_t)j * nx + i) * ts, cs.type, seed, (int)c,
                               (x0 + i) * cs.xs, (y0 + j) * cs.ys, 0, cs.specials);
            char* base = b.data() - (intptr_t)x0 * (intptr_t)ts - (intptr_t)y0 * (intptr_t)(ts * nx);
            fb.insert(cs.name, Imf::Slice(cs.type, base, ts, ts * nx, cs.xs, cs.ys));
        }
    }
};

// Owns one deep level: counts (some zero), per-channel samples and pointer tables.
struct DeepLevel {
    std::vector<uint32_t> counts;
    std::vector<std::vector<char>> data;
    std::vector<std::vector<char*>> ptrs;
    Imf::DeepFrameBuffer fb;

    DeepLevel(const std::vector<ChanSpec>& chans, const Box2i& dw, uint32_t seed)
    {
        int w = dw.max.x - dw.min.x + 1, h = dw.max.y - dw.min.y + 1;
        size_t np = (size_t)w * h, total = 0;
        counts.resize(np);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                uint64_t r = key(seed, 99, x + dw.min.x, y + dw.min.y);
                uint32_t n = (uint32_t)(r % 7);       // 0..6 samples
                if (r % 23 == 0) n = 9 + (r >> 40) % 8; // occasional thicker pixel
                counts[(size_t)y * w + x] = n;
                total += n;
            }
        char* cbase = reinterpret_cast<char*>(counts.data()) - (intptr_t)dw.min.x * 4 -
                      (intptr_t)dw.min.y * 4 * w;
        fb.insertSampleCountSlice(Imf::Slice(Imf::UINT, cbase, 4, (size_t)4 * w));
        data.resize(chans.size());
        ptrs.resize(chans.size());
        for (size_t c = 0; c < chans.size(); ++c) {
            size_t ts = typeSize(chans[c].type);
            data[c].resize(total * ts + 1);
            ptrs[c].resize(np);
            size_t off = 0;
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    size_t i = (size_t)y * w + x;
                    ptrs[c][i] = data[c].data() + off;
                    for (uint32_t s = 0; s < counts[i]; ++s, off += ts)
                        fillSample(data[c].data() + off, chans[c].type, seed, (int)c,
                                   x + dw.min.x, y + dw.min.y, (int)s, chans[c].specials);
                }
            char* base = reinterpret_cast<char*>(ptrs[c].data()) -
                         (intptr_t)dw.min.x * (intptr_t)sizeof(char*) -
                         (intptr_t)dw.min.y * (intptr_t)(sizeof(char*) * w);
            fb.insert(chans[c].name, Imf::DeepSlice(chans[c].type, base, sizeof(char*),
                                                    sizeof(char*) * w, ts));
        }
    }
};

// One part of a file to write.
struct PartSpec {
    std::string name; // empty: single-part file without a name
    std::string type; // Imf::SCANLINEIMAGE etc.
    Box2i dataWindow, displayWindow;
    Imf::LineOrder order = Imf::INCREASING_Y;
    std::vector<ChanSpec> chans;
    Imf::TileDescription tiles;
    void (*extraAttrs)(Imf::Header&) = nullptr;
};

Imf::Header makeHeader(const PartSpec& p, Imf::Compression c, bool multi)
{
    Imf::Header h(p.displayWindow, p.dataWindow);
    h.compression() = c;
    h.lineOrder() = p.order;
    for (const ChanSpec& cs : p.chans)
        h.channels().insert(cs.name, Imf::Channel(cs.type, cs.xs, cs.ys));
    if (p.type == Imf::TILEDIMAGE || p.type == Imf::DEEPTILE)
        h.setTileDescription(p.tiles);
    if (multi || p.type == Imf::DEEPSCANLINE || p.type == Imf::DEEPTILE) h.setType(p.type);
    if (!p.name.empty()) h.setName(p.name);
    if (p.extraAttrs) p.extraAttrs(h);
    return h;
}

template <class P> std::vector<std::pair<int, int>> levelList(P& p)
{
    std::vector<std::pair<int, int>> v;
    switch (p.levelMode()) {
    case Imf::ONE_LEVEL: v.emplace_back(0, 0); break;
    case Imf::MIPMAP_LEVELS:
        for (int l = 0; l < p.numLevels(); ++l) v.emplace_back(l, l);
        break;
    default:
        for (int ly = 0; ly < p.numYLevels(); ++ly)
            for (int lx = 0; lx < p.numXLevels(); ++lx) v.emplace_back(lx, ly);
    }
    return v;
}

uint32_t seedOf(const std::string& file, int part, int lx, int ly)
{
    uint32_t s = 2166136261u; // FNV-1a of the shape name, so codecs share content
    for (unsigned char ch : file) s = (s ^ ch) * 16777619u;
    return s ^ (uint32_t)(part * 131 + lx * 17 + ly * 7);
}

template <class W> void writeFlatScan(W& w, const PartSpec& p, uint32_t seed)
{
    FlatLevel lv(p.chans, p.dataWindow, seed);
    w.setFrameBuffer(lv.fb);
    w.writePixels(p.dataWindow.max.y - p.dataWindow.min.y + 1);
}

template <class W> void writeDeepScan(W& w, const PartSpec& p, uint32_t seed)
{
    DeepLevel lv(p.chans, p.dataWindow, seed);
    w.setFrameBuffer(lv.fb);
    w.writePixels(p.dataWindow.max.y - p.dataWindow.min.y + 1);
}

template <class Level, class W>
void writeTiles(W& w, const PartSpec& p, const std::string& shape, int part)
{
    for (auto [lx, ly] : levelList(w)) {
        Level lv(p.chans, w.dataWindowForLevel(lx, ly), seedOf(shape, part, lx, ly));
        w.setFrameBuffer(lv.fb);
        w.writeTiles(0, w.numXTiles(lx) - 1, 0, w.numYTiles(ly) - 1, lx, ly);
    }
}

// A single part goes through the single-part classes, so the file looks like what
// ordinary OpenEXR applications write (no type attribute on flat images).
void writeFile(const std::string& path, const std::string& shape,
               const std::vector<PartSpec>& parts, Imf::Compression c)
{
    bool multi = parts.size() > 1;
    std::vector<Imf::Header> headers;
    for (const PartSpec& p : parts) headers.push_back(makeHeader(p, c, multi));
    if (!multi) {
        const PartSpec& p = parts[0];
        uint32_t seed = seedOf(shape, 0, 0, 0);
        if (p.type == Imf::SCANLINEIMAGE) {
            Imf::OutputFile w(path.c_str(), headers[0]);
            writeFlatScan(w, p, seed);
        } else if (p.type == Imf::TILEDIMAGE) {
            Imf::TiledOutputFile w(path.c_str(), headers[0]);
            writeTiles<FlatLevel>(w, p, shape, 0);
        } else if (p.type == Imf::DEEPSCANLINE) {
            Imf::DeepScanLineOutputFile w(path.c_str(), headers[0]);
            writeDeepScan(w, p, seed);
        } else {
            Imf::DeepTiledOutputFile w(path.c_str(), headers[0]);
            writeTiles<DeepLevel>(w, p, shape, 0);
        }
        return;
    }
    Imf::MultiPartOutputFile out(path.c_str(), headers.data(), (int)headers.size());
    for (size_t i = 0; i < parts.size(); ++i) {
        const PartSpec& p = parts[i];
        int pi = (int)i;
        uint32_t seed = seedOf(shape, pi, 0, 0);
        if (p.type == Imf::SCANLINEIMAGE) {
            Imf::OutputPart w(out, pi);
            writeFlatScan(w, p, seed);
        } else if (p.type == Imf::TILEDIMAGE) {
            Imf::TiledOutputPart w(out, pi);
            writeTiles<FlatLevel>(w, p, shape, pi);
        } else if (p.type == Imf::DEEPSCANLINE) {
            Imf::DeepScanLineOutputPart w(out, pi);
            writeDeepScan(w, p, seed);
        } else {
            Imf::DeepTiledOutputPart w(out, pi);
            writeTiles<DeepLevel>(w, p, shape, pi);
        }
    }
}

Box2i box(int x0, int y0, int x1, int y1) { return Box2i(V2i(x0, y0), V2i(x1, y1)); }

PartSpec scan(Box2i dw, Box2i disp, Imf::LineOrder lo, std::vector<ChanSpec> chans)
{
    PartSpec p;
    p.type = Imf::SCANLINEIMAGE;
    p.dataWindow = dw;
    p.displayWindow = disp;
    p.order = lo;
    p.chans = std::move(chans);
    return p;
}

PartSpec tiled(Box2i dw, int tw, int th, Imf::LevelMode m, Imf::LevelRoundingMode r,
               Imf::LineOrder lo, std::vector<ChanSpec> chans)
{
    PartSpec p = scan(dw, box(0, 0, 63, 47), lo, std::move(chans));
    p.type = Imf::TILEDIMAGE;
    p.tiles = Imf::TileDescription(tw, th, m, r);
    return p;
}

const std::vector<ChanSpec> kHFU = {
    {"F", Imf::FLOAT}, {"H", Imf::HALF}, {"U", Imf::UINT}};
const std::vector<ChanSpec> kRGBA = {
    {"A", Imf::HALF, 1, 1, false}, {"B", Imf::HALF}, {"G", Imf::HALF}, {"R", Imf::HALF}};

void addManyAttributes(Imf::Header& h)
{
    using namespace Imf;
    h.insert("aInt", IntAttribute(-123456));
    h.insert("aFloat", FloatAttribute(1.5f));
    h.insert("aDouble", DoubleAttribute(2.718281828459045));
    h.insert("aString", StringAttribute("text with spaces \xc3\xa9"));
    h.insert("aV2i", V2iAttribute(V2i(-1, 2)));
    h.insert("aV2f", V2fAttribute(Imath::V2f(0.25f, -8.0f)));
    h.insert("aV2d", V2dAttribute(Imath::V2d(1e-300, 3.0)));
    h.insert("aV3i", V3iAttribute(Imath::V3i(1, -2, 3)));
    h.insert("aV3f", V3fAttribute(Imath::V3f(1.0f, 2.0f, 3.0f)));
    h.insert("aV3d", V3dAttribute(Imath::V3d(-1.0, 0.5, 1e10)));
    h.insert("aBox2i", Box2iAttribute(box(-5, -6, 7, 8)));
    h.insert("aBox2f", Box2fAttribute(Imath::Box2f(Imath::V2f(0.5f, 1.5f), Imath::V2f(2, 3))));
    h.insert("aM33f", M33fAttribute(Imath::M33f(1, 2, 3, 4, 5, 6, 7, 8, 9)));
    h.insert("aM33d", M33dAttribute(Imath::M33d(9, 8, 7, 6, 5, 4, 3, 2, 1)));
    h.insert("aM44d", M44dAttribute(Imath::M44d()));
    h.insert("aCompression", CompressionAttribute(PIZ_COMPRESSION));
    h.insert("aLineOrder", LineOrderAttribute(DECREASING_Y));
    std::vector<float> fv = {0.0f, -1.0f, 1e-20f};
    h.insert("aFloatVector", FloatVectorAttribute(fv));
    std::vector<std::string> sv = {"one", "", "three"};
    h.insert("aStringVector", StringVectorAttribute(sv));
    addChromaticities(h, Chromaticities());
    addWhiteLuminance(h, 100.0f);
    addOwner(h, "libexrqoi interop");
    addComments(h, "generated by exrref_gen");
    addCapDate(h, "2024:01:02 03:04:05");
    addUtcOffset(h, -3600.0f);
    addEnvmap(h, ENVMAP_LATLONG);
    addKeyCode(h, KeyCode(1, 2, 3, 4, 5, 4, 64));
    addTimeCode(h, TimeCode(1, 2, 3, 4, true, false));
    addFramesPerSecond(h, Rational(24000, 1001));
    addMultiView(h, sv);
    addWorldToCamera(h, Imath::M44f());
    PreviewImage prev(5, 3);
    for (unsigned y = 0; y < 3; ++y)
        for (unsigned x = 0; x < 5; ++x)
            prev.pixel(x, y) = PreviewRgba((unsigned char)(x * 50), (unsigned char)(y * 80), 7, 255);
    h.setPreviewImage(prev);
}

struct Shape {
    const char* name;
    bool deep;
    std::vector<PartSpec> parts;
};

std::vector<Shape> shapes()
{
    using namespace Imf;
    std::vector<Shape> v;
    // Odd size, negative origin, display window different from data window.
    v.push_back({"scan_mixed", false,
                 {scan(box(-5, -3, 31, 19), box(0, 0, 39, 29), INCREASING_Y,
                       {{"B", HALF}, {"G", HALF}, {"R", HALF}, {"Z", FLOAT}, {"id", UINT}})}});
    v.push_back({"scan_decr", false,
                 {scan(box(3, 2, 63, 46), box(0, 0, 99, 99), DECREASING_Y,
                       {{"A", HALF, 1, 1, false}, {"B", HALF}, {"G", HALF}, {"R", HALF},
                        {"depth", FLOAT}})}});
    // Luminance/chroma layout plus other subsampled types; windows aligned to sampling.
    v.push_back({"scan_sub", false,
                 {scan(box(-4, -2, 39, 29), box(-4, -2, 39, 29), INCREASING_Y,
                       {{"A", HALF}, {"BY", HALF, 2, 2}, {"RY", HALF, 2, 2}, {"Y", HALF},
                        {"u", UINT, 1, 2}, {"zf", FLOAT, 2, 1}})}});
    v.push_back({"tile_single", false,
                 {tiled(box(-7, 5, 42, 41), 16, 16, ONE_LEVEL, ROUND_DOWN, DECREASING_Y, kHFU)}});
    v.push_back({"tile_mipdown", false,
                 {tiled(box(0, 0, 44, 28), 8, 8, MIPMAP_LEVELS, ROUND_DOWN, INCREASING_Y, kHFU)}});
    v.push_back({"tile_mipup", false,
                 {tiled(box(-3, -1, 41, 27), 16, 8, MIPMAP_LEVELS, ROUND_UP, INCREASING_Y, kRGBA)}});
    v.push_back({"tile_ripdown", false,
                 {tiled(box(2, 3, 34, 21), 8, 4, RIPMAP_LEVELS, ROUND_DOWN, RANDOM_Y, kHFU)}});
    v.push_back({"tile_ripup", false,
                 {tiled(box(0, 0, 32, 18), 8, 8, RIPMAP_LEVELS, ROUND_UP, INCREASING_Y, kHFU)}});
    {
        PartSpec a = scan(box(0, 0, 28, 16), box(0, 0, 28, 16), INCREASING_Y, kRGBA);
        a.name = "beauty";
        PartSpec b = tiled(box(-2, -2, 25, 14), 8, 8, MIPMAP_LEVELS, ROUND_DOWN, INCREASING_Y,
                           {{"Z", FLOAT}, {"my chan", HALF}});
        b.name = "depth map";
        b.displayWindow = a.displayWindow; // shared by all parts
        PartSpec c = scan(box(5, 5, 20, 30), box(0, 0, 28, 16), DECREASING_Y,
                          {{"obj.id", UINT}, {"sp\xc3\xa9" "c", HALF}});
        c.name = "na\xc3\xafve\\ids";
        PartSpec d = tiled(box(0, 0, 16, 16), 16, 16, ONE_LEVEL, ROUND_DOWN, INCREASING_Y,
                           {{"G", HALF}});
        d.name = "small";
        d.displayWindow = a.displayWindow;
        v.push_back({"multi", false, {a, b, c, d}});
    }
    {
        PartSpec a = scan(box(0, 0, 15, 7), box(0, 0, 15, 7), INCREASING_Y, {{"Y", HALF}});
        a.extraAttrs = addManyAttributes;
        v.push_back({"attrs", false, {a}});
    }
    const std::vector<ChanSpec> deepChans = {
        {"A", HALF, 1, 1, false}, {"Z", FLOAT, 1, 1, false}, {"ZBack", FLOAT}, {"id", UINT}, {"R", HALF}};
    {
        PartSpec p = scan(box(-3, -2, 19, 14), box(0, 0, 19, 14), INCREASING_Y, deepChans);
        p.type = DEEPSCANLINE;
        v.push_back({"deep_scan", true, {p}});
        PartSpec q = scan(box(0, 0, 12, 40), box(0, 0, 12, 40), DECREASING_Y, deepChans);
        q.type = DEEPSCANLINE;
        v.push_back({"deep_scan_decr", true, {q}});
    }
    {
        PartSpec p = tiled(box(2, 1, 31, 21), 8, 8, ONE_LEVEL, ROUND_DOWN, INCREASING_Y, deepChans);
        p.type = DEEPTILE;
        v.push_back({"deep_tile", true, {p}});
        PartSpec q = tiled(box(-1, 0, 17, 12), 4, 4, MIPMAP_LEVELS, ROUND_DOWN, INCREASING_Y, deepChans);
        q.type = DEEPTILE;
        v.push_back({"deep_tile_mip", true, {q}});
    }
    {
        // Deep and flat parts in one file.
        PartSpec a = scan(box(0, 0, 10, 9), box(0, 0, 10, 9), INCREASING_Y, deepChans);
        a.type = DEEPSCANLINE;
        a.name = "deep";
        PartSpec b = scan(box(0, 0, 10, 9), box(0, 0, 10, 9), INCREASING_Y, kRGBA);
        b.name = "flat";
        PartSpec c = tiled(box(0, 0, 10, 9), 4, 4, RIPMAP_LEVELS, ROUND_DOWN, INCREASING_Y,
                           {{"A", HALF}, {"Z", FLOAT}});
        c.type = DEEPTILE;
        c.name = "deep tiles";
        c.displayWindow = a.displayWindow;
        v.push_back({"deep_multi", true, {a, b, c}});
    }
    return v;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];
    int written = 0;
    try {
        for (const Shape& s : shapes())
            for (const Codec& c : kCodecs) {
                if (s.deep && !c.deepOk) continue;
                // One attribute-heavy file is enough.
                if (std::string(s.name) == "attrs" && std::string(c.name) != "zip") continue;
                writeFile(dir + "/" + c.name + "_" + s.name + ".exr", s.name, s.parts, c.c);
                ++written;
            }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    std::printf("wrote %d files to %s\n", written, dir.c_str());
    return 0;
}
