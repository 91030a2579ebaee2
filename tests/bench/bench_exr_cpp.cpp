// OpenEXR's C++ API (MultiPartInputFile / InputPart / TiledInputPart and
// the output counterparts) over in-memory streams, for the side-by-side
// benchmark. Its thread pool is OpenEXR's global one.
#include "bench.h"

#include <ImfCompression.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfIO.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfThreading.h>
#include <ImfTiledInputPart.h>
#include <ImfTiledOutputPart.h>
#include <Iex.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

namespace {

class MemIStream : public Imf::IStream {
  public:
    MemIStream(const unsigned char *d, uint64_t n)
        : Imf::IStream("memory"), d_(reinterpret_cast<const char *>(d)), n_(n)
    {
    }
    bool isMemoryMapped() const override { return true; }
    bool read(char c[], int n) override
    {
        if (n < 0 || pos_ + static_cast<uint64_t>(n) > n_) throw Iex::InputExc("read past end");
        std::memcpy(c, d_ + pos_, static_cast<size_t>(n));
        pos_ += static_cast<uint64_t>(n);
        return pos_ < n_;
    }
    char *readMemoryMapped(int n) override
    {
        if (n < 0 || pos_ + static_cast<uint64_t>(n) > n_) throw Iex::InputExc("read past end");
        char *r = const_cast<char *>(d_ + pos_);
        pos_ += static_cast<uint64_t>(n);
        return r;
    }
    uint64_t tellg() override { return pos_; }
    void seekg(uint64_t p) override { pos_ = p; }

  private:
    const char *d_;
    uint64_t n_;
    uint64_t pos_ = 0;
};

class MemOStream : public Imf::OStream {
  public:
    explicit MemOStream(size_t reserve) : Imf::OStream("memory") { buf_.reserve(reserve); }
    void write(const char c[], int n) override
    {
        size_t end = static_cast<size_t>(pos_) + static_cast<size_t>(n);
        if (end > buf_.size()) buf_.resize(end);
        std::memcpy(buf_.data() + pos_, c, static_cast<size_t>(n));
        pos_ = end;
    }
    uint64_t tellp() override { return pos_; }
    void seekp(uint64_t p) override { pos_ = p; }
    size_t size() const { return buf_.size(); }
    const char *data() const { return buf_.data(); }

  private:
    std::vector<char> buf_;
    uint64_t pos_ = 0;
};

Imf::FrameBuffer frame_buffer(const bench_level &L)
{
    Imf::FrameBuffer fb;
    for (int c = 0; c < L.nchan; c++) {
        const bench_chan &ch = L.chans[c];
        fb.insert(ch.name, Imf::Slice(static_cast<Imf::PixelType>(ch.type),
                                      reinterpret_cast<char *>(ch.origin),
                                      static_cast<size_t>(ch.xstride), static_cast<size_t>(ch.ystride),
                                      ch.xs, ch.ys, 0.0));
    }
    return fb;
}

void fail(char *err, size_t errlen, const char *what)
{
    if (errlen) std::snprintf(err, errlen, "%s", what);
}

} // namespace

extern "C" int bench_cpp_available(void) { return 1; }

extern "C" int bench_cpp_set_threads(int threads)
{
    Imf::setGlobalThreadCount(threads <= 1 ? 0 : threads);
    return 0;
}

extern "C" int bench_cpp_decode(const bench_plan *p, char *err, size_t errlen)
{
    try {
        MemIStream is(p->file, p->file_size);
        Imf::MultiPartInputFile in(is, Imf::globalThreadCount());
        for (int i = 0; i < p->nlevels; i++) {
            const bench_level &L = p->levels[i];
            Imf::FrameBuffer fb = frame_buffer(L);
            if (L.tiled) {
                Imf::TiledInputPart tp(in, L.part);
                tp.setFrameBuffer(fb);
                tp.readTiles(0, tp.numXTiles(L.lx) - 1, 0, tp.numYTiles(L.ly) - 1, L.lx, L.ly);
            } else {
                Imf::InputPart ip(in, L.part);
                ip.setFrameBuffer(fb);
                ip.readPixels(L.miny, L.maxy);
            }
        }
    } catch (const std::exception &e) {
        fail(err, errlen, e.what());
        return 1;
    }
    return 0;
}

extern "C" int bench_cpp_encode(const bench_plan *p, int comp, size_t *out_size, void **bytes, char *err,
                                size_t errlen)
{
    try {
        std::vector<Imf::Header> hs;
        {
            MemIStream is(p->file, p->file_size);
            Imf::MultiPartInputFile in(is, Imf::globalThreadCount());
            for (int i = 0; i < in.parts(); i++) {
                hs.push_back(in.header(i));
                hs.back().compression() = static_cast<Imf::Compression>(comp);
            }
        }
        MemOStream os(p->file_size * 2 + 4096);
        {
            Imf::MultiPartOutputFile out(os, hs.data(), static_cast<int>(hs.size()), false,
                                         Imf::globalThreadCount());
            for (int i = 0; i < p->nlevels; i++) {
                const bench_level &L = p->levels[i];
                Imf::FrameBuffer fb = frame_buffer(L);
                if (L.tiled) {
                    Imf::TiledOutputPart tp(out, L.part);
                    tp.setFrameBuffer(fb);
                    tp.writeTiles(0, tp.numXTiles(L.lx) - 1, 0, tp.numYTiles(L.ly) - 1, L.lx, L.ly);
                } else {
                    Imf::OutputPart op(out, L.part);
                    op.setFrameBuffer(fb);
                    op.writePixels(L.maxy - L.miny + 1);
                }
            }
        }
        *out_size = os.size();
        if (bytes) {
            *bytes = std::malloc(os.size() ? os.size() : 1);
            if (!*bytes) throw std::bad_alloc();
            std::memcpy(*bytes, os.data(), os.size());
        }
    } catch (const std::exception &e) {
        fail(err, errlen, e.what());
        return 1;
    }
    return 0;
}
