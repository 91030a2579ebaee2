// exrref_convert IN OUT CODEC: rewrites IN with OpenEXR's C++ writer, every flat part
// recompressed with CODEC at OpenEXR's default zip and DWA levels. Deep parts are
// dropped (size_parity.sh only compares flat files). Test-only: it is the reference
// that `exrqoi convert --compression CODEC` is measured against.

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <ImfThreading.h>
#include <ImfTiledInputPart.h>
#include <ImfTiledOutputFile.h>
#include <ImfTiledOutputPart.h>
#include <ImfVersion.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Imath::Box2i;

int divp(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

size_t typeSize(Imf::PixelType t) { return t == Imf::HALF ? 2 : 4; }

Imf::Compression parseCodec(const std::string& s)
{
    static const struct {
        const char* name;
        Imf::Compression c;
    } kCodecs[] = {
        {"none", Imf::NO_COMPRESSION},   {"rle", Imf::RLE_COMPRESSION},
        {"zips", Imf::ZIPS_COMPRESSION}, {"zip", Imf::ZIP_COMPRESSION},
        {"piz", Imf::PIZ_COMPRESSION},   {"pxr24", Imf::PXR24_COMPRESSION},
        {"b44", Imf::B44_COMPRESSION},   {"b44a", Imf::B44A_COMPRESSION},
        {"dwaa", Imf::DWAA_COMPRESSION}, {"dwab", Imf::DWAB_COMPRESSION},
    };
    for (const auto& k : kCodecs)
        if (s == k.name) return k.c;
    throw std::runtime_error("unknown codec " + s);
}

// Pixel memory of one level: a tight buffer per channel over its sampled grid, and
// a frame buffer pointing into it (used for both reading and writing).
struct Level {
    std::vector<std::vector<char>> bufs;
    Imf::FrameBuffer fb;

    Level(const Imf::ChannelList& chans, const Box2i& dw)
    {
        for (auto it = chans.begin(); it != chans.end(); ++it) {
            const Imf::Channel& ch = it.channel();
            int x0 = divp(dw.min.x, ch.xSampling), y0 = divp(dw.min.y, ch.ySampling);
            size_t nx = divp(dw.max.x, ch.xSampling) - x0 + 1;
            size_t ny = divp(dw.max.y, ch.ySampling) - y0 + 1;
            size_t ts = typeSize(ch.type);
            bufs.emplace_back(nx * ny * ts);
            char* base = bufs.back().data() - (intptr_t)x0 * (intptr_t)ts -
                         (intptr_t)y0 * (intptr_t)(ts * nx);
            fb.insert(it.name(),
                      Imf::Slice(ch.type, base, ts, ts * nx, ch.xSampling, ch.ySampling));
        }
    }
};

// Every level of a tiled part (mipmap levels are (l, l)).
template <class P> std::vector<std::pair<int, int>> levelList(P& p)
{
    std::vector<std::pair<int, int>> v;
    if (p.levelMode() == Imf::MIPMAP_LEVELS) {
        for (int l = 0; l < p.numLevels(); ++l) v.emplace_back(l, l);
    } else {
        for (int ly = 0; ly < p.numYLevels(); ++ly)
            for (int lx = 0; lx < p.numXLevels(); ++lx) v.emplace_back(lx, ly);
    }
    return v;
}

template <class W> void copyScanLines(Imf::InputPart& r, W& w, const Imf::Header& h)
{
    const Box2i& dw = h.dataWindow();
    Level lv(h.channels(), dw);
    r.setFrameBuffer(lv.fb);
    r.readPixels(dw.min.y, dw.max.y);
    w.setFrameBuffer(lv.fb);
    w.writePixels(dw.max.y - dw.min.y + 1); // in the file's line order
}

// The tiled writer puts each level's tiles in the file's line order itself.
template <class W>
void copyTiles(Imf::TiledInputPart& r, W& w, const Imf::ChannelList& chans)
{
    for (auto [lx, ly] : levelList(r)) {
        Level lv(chans, r.dataWindowForLevel(lx, ly));
        int tx = r.numXTiles(lx) - 1, ty = r.numYTiles(ly) - 1;
        r.setFrameBuffer(lv.fb);
        r.readTiles(0, tx, 0, ty, lx, ly);
        w.setFrameBuffer(lv.fb);
        w.writeTiles(0, tx, 0, ty, lx, ly);
    }
}

bool isDeep(const Imf::Header& h)
{
    return h.hasType() && (h.type() == Imf::DEEPSCANLINE || h.type() == Imf::DEEPTILE);
}

// Whether the first header of the file at path stores a "type" attribute. Walks the
// attribute list (name, type name, int32 size, value) up to its empty-name end.
bool storesType(const char* path)
{
    std::ifstream f(path, std::ios::binary);
    f.seekg(8); // magic number and version
    for (;;) {
        std::string name, typeName;
        if (!std::getline(f, name, '\0') || name.empty()) return false;
        if (name == "type") return true;
        unsigned char n[4];
        if (!std::getline(f, typeName, '\0') || !f.read((char*)n, 4)) return false;
        uint32_t size = n[0] | n[1] << 8 | n[2] << 16 | (uint32_t)n[3] << 24;
        f.seekg(size, std::ios::cur);
    }
}

// A copy of h without its type attribute. (3.1.5's Header::erase leaks the value.)
Imf::Header withoutType(const Imf::Header& h)
{
    Imf::Header out; // its default attributes are all overwritten below
    for (auto it = h.begin(); it != h.end(); ++it)
        if (std::strcmp(it.name(), "type") != 0) out.insert(it.name(), it.attribute());
    out.zipCompressionLevel() = h.zipCompressionLevel();
    out.dwaCompressionLevel() = h.dwaCompressionLevel();
    return out;
}

void convert(const char* inPath, const char* outPath, Imf::Compression codec)
{
    Imf::MultiPartInputFile in(inPath);
    const Imf::Header defaults; // OpenEXR's default zip and DWA levels
    std::vector<int> src;       // input part of each output part
    std::vector<Imf::Header> headers;
    for (int i = 0; i < in.parts(); ++i) {
        if (isDeep(in.header(i))) continue;
        Imf::Header h = in.header(i);
        h.compression() = codec;
        h.zipCompressionLevel() = defaults.zipCompressionLevel();
        h.dwaCompressionLevel() = defaults.dwaCompressionLevel();
        src.push_back(i);
        headers.push_back(h);
    }
    if (headers.empty()) throw std::runtime_error("no flat part");

    // A single-part file goes through the single-part writers. The reader invents a
    // type attribute for it; drop it unless the file stored one, so our header is
    // exactly as large as the source's (as `exrqoi convert` keeps it).
    if (headers.size() == 1 && !Imf::isMultiPart(in.version())) {
        Imf::Header& h = headers[0];
        if (!storesType(inPath)) h = withoutType(h);
        if (h.hasTileDescription()) {
            Imf::TiledInputPart r(in, src[0]);
            Imf::TiledOutputFile w(outPath, h);
            copyTiles(r, w, h.channels());
        } else {
            Imf::InputPart r(in, src[0]);
            Imf::OutputFile w(outPath, h);
            copyScanLines(r, w, h);
        }
        return;
    }
    Imf::MultiPartOutputFile out(outPath, headers.data(), (int)headers.size());
    for (size_t o = 0; o < headers.size(); ++o) {
        const Imf::Header& h = headers[o];
        if (h.hasTileDescription()) {
            Imf::TiledInputPart r(in, src[o]);
            Imf::TiledOutputPart w(out, (int)o);
            copyTiles(r, w, h.channels());
        } else {
            Imf::InputPart r(in, src[o]);
            Imf::OutputPart w(out, (int)o);
            copyScanLines(r, w, h);
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s IN.exr OUT.exr CODEC\n", argv[0]);
        return 2;
    }
    try {
        // Threads change only the speed, never the bytes OpenEXR writes.
        Imf::setGlobalThreadCount((int)std::thread::hardware_concurrency());
        convert(argv[1], argv[2], parseCodec(argv[3]));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
