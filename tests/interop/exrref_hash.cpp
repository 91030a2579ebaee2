// exrref_hash: the canonical listing of docs canonical-hash.md, made with OpenEXR's
// C++ library as the reference decoder. Test-only; the library never links OpenEXR.
//
// Why C++ and not OpenEXRCore: Debian's 3.1.5 core cannot decode DWA, decodes a
// B44 chunk whose packed size equals its unpacked size instead of taking it raw,
// sizes subsampled chunks as height / ySampling and rejects the full-tile sample
// tables the C++ writer puts in clipped deep NONE tiles. The C++ library, which
// wrote the corpus files, has none of these problems.

#include <ImfChannelList.h>
#include <ImfCompression.h>
#include <ImfDeepFrameBuffer.h>
#include <ImfDeepScanLineInputPart.h>
#include <ImfDeepTiledInputPart.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfPartType.h>
#include <ImfTileDescription.h>
#include <ImfTiledInputPart.h>

#include <zlib.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Imath::Box2i;

// Floor division and modulo, so negative coordinates behave like OpenEXR's divp/modp.
int divp(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int modp(int a, int b) { return a - b * divp(a, b); }

std::string escape(const std::string& s)
{
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x21 && c <= 0x7e && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

const char* typeName(Imf::PixelType t)
{
    switch (t) {
    case Imf::UINT: return "uint";
    case Imf::HALF: return "half";
    case Imf::FLOAT: return "float";
    default: return "?";
    }
}

size_t typeSize(Imf::PixelType t) { return t == Imf::HALF ? 2 : 4; }

const char* compressionName(Imf::Compression c)
{
    switch (c) {
    case Imf::NO_COMPRESSION: return "none";
    case Imf::RLE_COMPRESSION: return "rle";
    case Imf::ZIPS_COMPRESSION: return "zips";
    case Imf::ZIP_COMPRESSION: return "zip";
    case Imf::PIZ_COMPRESSION: return "piz";
    case Imf::PXR24_COMPRESSION: return "pxr24";
    case Imf::B44_COMPRESSION: return "b44";
    case Imf::B44A_COMPRESSION: return "b44a";
    case Imf::DWAA_COMPRESSION: return "dwaa";
    case Imf::DWAB_COMPRESSION: return "dwab";
    default: return "?";
    }
}

const char* lineOrderName(Imf::LineOrder l)
{
    switch (l) {
    case Imf::INCREASING_Y: return "increasing";
    case Imf::DECREASING_Y: return "decreasing";
    case Imf::RANDOM_Y: return "random";
    default: return "?";
    }
}

std::string levelsName(const Imf::TileDescription& td)
{
    std::string s;
    switch (td.mode) {
    case Imf::ONE_LEVEL: return "single";
    case Imf::MIPMAP_LEVELS: s = "mipmap"; break;
    case Imf::RIPMAP_LEVELS: s = "ripmap"; break;
    default: return "?";
    }
    return s + (td.roundingMode == Imf::ROUND_UP ? "_up" : "_down");
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

uint32_t crcBytes(uint32_t crc, const void* p, size_t n)
{
    const Bytef* b = static_cast<const Bytef*>(p);
    while (n > 0) {
        uInt step = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
        crc = static_cast<uint32_t>(crc32(crc, b, step));
        b += step;
        n -= step;
    }
    return crc;
}

// One flat channel of one level: a tight buffer covering the sampled grid the C++
// reader addresses (divp(min, s) .. divp(max, s)); x86 memory is already little-endian.
struct FlatChan {
    std::string name;
    Imf::Channel ch;
    int x0, y0, nx, ny; // sample-grid origin and size
    std::vector<char> buf;
};

void flatSetup(const Box2i& dw, const Imf::ChannelList& chans, Imf::FrameBuffer& fb,
               std::vector<FlatChan>& store)
{
    store.clear();
    for (auto it = chans.begin(); it != chans.end(); ++it) {
        FlatChan fc;
        fc.name = it.name();
        fc.ch = it.channel();
        int xs = fc.ch.xSampling, ys = fc.ch.ySampling;
        fc.x0 = divp(dw.min.x, xs);
        fc.y0 = divp(dw.min.y, ys);
        fc.nx = divp(dw.max.x, xs) - fc.x0 + 1;
        fc.ny = divp(dw.max.y, ys) - fc.y0 + 1;
        fc.buf.assign(static_cast<size_t>(fc.nx) * fc.ny * typeSize(fc.ch.type), 0);
        store.push_back(std::move(fc));
    }
    for (FlatChan& fc : store) {
        size_t xst = typeSize(fc.ch.type), yst = xst * fc.nx;
        char* base = fc.buf.data() - (intptr_t)fc.x0 * (intptr_t)xst -
                     (intptr_t)fc.y0 * (intptr_t)yst;
        fb.insert(fc.name, Imf::Slice(fc.ch.type, base, xst, yst, fc.ch.xSampling,
                                      fc.ch.ySampling, 0.0));
    }
}

void emitFlatLevel(std::string& out, int part, int lx, int ly, const Box2i& dw,
                   const std::vector<FlatChan>& store)
{
    for (const FlatChan& fc : store) {
        int xs = fc.ch.xSampling, ys = fc.ch.ySampling;
        size_t ts = typeSize(fc.ch.type);
        uint32_t crc = 0;
        uint64_t n = 0;
        for (int y = dw.min.y; y <= dw.max.y; ++y) {
            if (modp(y, ys) != 0) continue;
            const char* row = fc.buf.data() + (size_t)(divp(y, ys) - fc.y0) * fc.nx * ts;
            for (int x = dw.min.x; x <= dw.max.x; ++x) {
                if (modp(x, xs) != 0) continue;
                crc = crcBytes(crc, row + (size_t)(divp(x, xs) - fc.x0) * ts, ts);
                ++n;
            }
        }
        out += fmt("chan %d %d %d %s %s %d %d samples=%llu crc32=%08x\n", part, lx, ly,
                   escape(fc.name).c_str(), typeName(fc.ch.type), xs, ys,
                   (unsigned long long)n, crc);
    }
}

// Deep level: counts plus one pointer per pixel per channel into packed storage.
struct DeepLevel {
    int w = 0, h = 0;
    std::vector<uint32_t> counts;
    std::vector<std::string> names;
    std::vector<Imf::PixelType> types;
    std::vector<std::vector<char>> data;
    std::vector<std::vector<char*>> ptrs;
};

// The pointer arrays go into the frame buffer before the counts are read (setting a
// new frame buffer would make the reader forget the counts); their values are filled
// in between readPixelSampleCounts and readPixels.
void deepSetup(DeepLevel& d, const Box2i& dw, const Imf::ChannelList& chans,
               Imf::DeepFrameBuffer& fb)
{
    d.w = dw.max.x - dw.min.x + 1;
    d.h = dw.max.y - dw.min.y + 1;
    size_t np = (size_t)d.w * d.h;
    d.counts.assign(np, 0);
    d.names.clear();
    d.types.clear();
    for (auto it = chans.begin(); it != chans.end(); ++it) {
        d.names.push_back(it.name());
        d.types.push_back(it.channel().type);
    }
    char* cbase = reinterpret_cast<char*>(d.counts.data()) -
                  (intptr_t)dw.min.x * 4 - (intptr_t)dw.min.y * 4 * d.w;
    fb.insertSampleCountSlice(Imf::Slice(Imf::UINT, cbase, 4, (size_t)4 * d.w));
    d.data.assign(d.names.size(), {});
    d.ptrs.assign(d.names.size(), std::vector<char*>(np, nullptr));
    for (size_t c = 0; c < d.names.size(); ++c) {
        char* base = reinterpret_cast<char*>(d.ptrs[c].data()) -
                     (intptr_t)dw.min.x * (intptr_t)sizeof(char*) -
                     (intptr_t)dw.min.y * (intptr_t)sizeof(char*) * d.w;
        fb.insert(d.names[c], Imf::DeepSlice(d.types[c], base, sizeof(char*),
                                             sizeof(char*) * (size_t)d.w,
                                             typeSize(d.types[c])));
    }
}

void deepAllocate(DeepLevel& d)
{
    size_t np = (size_t)d.w * d.h;
    uint64_t total = 0;
    for (uint32_t c : d.counts) total += c;
    for (size_t c = 0; c < d.names.size(); ++c) {
        size_t ts = typeSize(d.types[c]);
        d.data[c].assign(total * ts + 1, 0);
        size_t off = 0;
        for (size_t i = 0; i < np; ++i) {
            d.ptrs[c][i] = d.data[c].data() + off;
            off += (size_t)d.counts[i] * ts;
        }
    }
}

void emitDeepLevel(std::string& out, int part, int lx, int ly, const DeepLevel& d)
{
    uint64_t total = 0;
    for (uint32_t c : d.counts) total += c;
    uint32_t crc = crcBytes(0, d.counts.data(), d.counts.size() * 4);
    out += fmt("counts %d %d %d pixels=%llu total=%llu crc32=%08x\n", part, lx, ly,
               (unsigned long long)d.counts.size(), (unsigned long long)total, crc);
    for (size_t c = 0; c < d.names.size(); ++c) {
        size_t ts = typeSize(d.types[c]);
        uint32_t cc = crcBytes(0, d.data[c].data(), total * ts);
        out += fmt("deepchan %d %d %d %s %s samples=%llu crc32=%08x\n", part, lx, ly,
                   escape(d.names[c]).c_str(), typeName(d.types[c]),
                   (unsigned long long)total, cc);
    }
}

// Levels in canonical order: ly outer, lx inner; mipmap levels are (l, l).
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

void listPart(std::string& out, Imf::MultiPartInputFile& file, int pi)
{
    const Imf::Header& h = file.header(pi);
    std::string type;
    if (h.hasType())
        type = h.type();
    else
        type = h.hasTileDescription() ? Imf::TILEDIMAGE : Imf::SCANLINEIMAGE;
    const Box2i& dw = h.dataWindow();
    const Box2i& dsp = h.displayWindow();
    const Imf::ChannelList& chans = h.channels();
    int nch = 0;
    for (auto it = chans.begin(); it != chans.end(); ++it) ++nch;
    bool tiled = type == Imf::TILEDIMAGE || type == Imf::DEEPTILE;
    out += fmt("part %d name=%s type=%s compression=%s dataWindow=%d,%d,%d,%d "
               "displayWindow=%d,%d,%d,%d lineOrder=%s channels=%d levels=%s\n",
               pi, h.hasName() ? escape(h.name()).c_str() : "-", escape(type).c_str(),
               compressionName(h.compression()), dw.min.x, dw.min.y, dw.max.x, dw.max.y,
               dsp.min.x, dsp.min.y, dsp.max.x, dsp.max.y, lineOrderName(h.lineOrder()),
               nch, tiled ? levelsName(h.tileDescription()).c_str() : "-");

    if (type == Imf::SCANLINEIMAGE) {
        Imf::InputPart p(file, pi);
        Imf::FrameBuffer fb;
        std::vector<FlatChan> store;
        flatSetup(dw, chans, fb, store);
        p.setFrameBuffer(fb);
        p.readPixels(dw.min.y, dw.max.y);
        emitFlatLevel(out, pi, 0, 0, dw, store);
    } else if (type == Imf::TILEDIMAGE) {
        Imf::TiledInputPart p(file, pi);
        for (auto [lx, ly] : levelList(p)) {
            Box2i ldw = p.dataWindowForLevel(lx, ly);
            Imf::FrameBuffer fb;
            std::vector<FlatChan> store;
            flatSetup(ldw, chans, fb, store);
            p.setFrameBuffer(fb);
            p.readTiles(0, p.numXTiles(lx) - 1, 0, p.numYTiles(ly) - 1, lx, ly);
            emitFlatLevel(out, pi, lx, ly, ldw, store);
        }
    } else if (type == Imf::DEEPSCANLINE) {
        Imf::DeepScanLineInputPart p(file, pi);
        Imf::DeepFrameBuffer fb;
        DeepLevel d;
        deepSetup(d, dw, chans, fb);
        p.setFrameBuffer(fb);
        p.readPixelSampleCounts(dw.min.y, dw.max.y);
        deepAllocate(d);
        p.readPixels(dw.min.y, dw.max.y);
        emitDeepLevel(out, pi, 0, 0, d);
    } else if (type == Imf::DEEPTILE) {
        Imf::DeepTiledInputPart p(file, pi);
        for (auto [lx, ly] : levelList(p)) {
            Box2i ldw = p.dataWindowForLevel(lx, ly);
            Imf::DeepFrameBuffer fb;
            DeepLevel d;
            deepSetup(d, ldw, chans, fb);
            p.setFrameBuffer(fb);
            int tx = p.numXTiles(lx) - 1, ty = p.numYTiles(ly) - 1;
            p.readPixelSampleCounts(0, tx, 0, ty, lx, ly);
            deepAllocate(d);
            p.readTiles(0, tx, 0, ty, lx, ly);
            emitDeepLevel(out, pi, lx, ly, d);
        }
    } else {
        throw std::runtime_error("unknown part type " + type);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FILE.exr\n", argv[0]);
        return 2;
    }
    std::string out;
    try {
        Imf::MultiPartInputFile file(argv[1]);
        for (int i = 0; i < file.parts(); ++i) listPart(out, file, i);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}
