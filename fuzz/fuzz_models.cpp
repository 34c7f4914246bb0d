// Fuzz target: decoding of every generated model (the typed layer's response decoding).
//
// Input: two bytes choosing the model (index into `all_model_codecs()`, modulo its size), then the
// JSON text. Properties: parsing and decoding never crash; whatever decodes encodes, and the encoded
// JSON decodes again to the same encoding (nothing lost or invented by a round trip).
#include <intercom/models/registry.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    auto codecs = intercom::models::all_model_codecs();
    const auto& codec = codecs[(std::size_t(data[0]) << 8 | data[1]) % codecs.size()];
    std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

    boost::system::error_code ec;
    boost::json::value in = boost::json::parse(text, ec);
    if (ec) return 0;
    boost::json::value out;
    std::size_t unknown = 0;
    if (!codec.roundtrip(in, out, &unknown)) return 0;

    boost::json::value again;
    if (!codec.roundtrip(out, again, nullptr) || again != out) {
        std::fprintf(stderr, "model %.*s: encode(decode(x)) does not decode to itself\n first:  %s\n second: %s\n",
                     int(codec.name.size()), codec.name.data(), boost::json::serialize(out).c_str(),
                     boost::json::serialize(again).c_str());
        std::abort();
    }
    return 0;
}
