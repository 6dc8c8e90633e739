#include "schema/image_spec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "schema/config_fields.h"
#include "schema/input_schema.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::schema {
namespace {

using io::json::Value;

constexpr std::string_view kFormats[] = {"png", "jpeg"};

absl::StatusOr<double> ReadFloat32(const Value& v, std::string_view where, const std::string& path) {
  KGATE_ASSIGN_OR_RETURN(double d, ReadNumber(v, where, path));
  if (!(std::fabs(d) <= std::numeric_limits<float>::max())) {
    return ConfigError(where, path, util::StrCat("expected a finite float32 number, got ", d));
  }
  return d;
}

}  // namespace

absl::StatusOr<ImageSpec> ParseImageSpec(const Value& v, std::string_view where, std::string_view path) {
  KGATE_RETURN_IF_ERROR(CheckObject(v, {"formats", "max_pixels", "channels", "scale", "offset"}, where, path));
  ImageSpec spec;
  for (const io::json::Member& m : v.object()) {
    const std::string key = ConfigPath(path, m.first);
    if (m.first == "formats") {
      if (!m.second.is_array() || m.second.array().empty()) {
        return ConfigError(where, key, "expected a non-empty list of formats (png, jpeg)");
      }
      for (size_t i = 0; i < m.second.array().size(); ++i) {
        const std::string item = util::StrCat(key, "[", i, "]");
        KGATE_ASSIGN_OR_RETURN(std::string f, ReadString(m.second.array()[i], where, item));
        if (f == "jpg") f = "jpeg";
        if (std::find(std::begin(kFormats), std::end(kFormats), f) == std::end(kFormats)) {
          return ConfigError(where, item, util::StrCat("expected png or jpeg, got '", f.substr(0, 32), "'"));
        }
        if (std::find(spec.formats.begin(), spec.formats.end(), f) != spec.formats.end()) {
          return ConfigError(where, item, util::StrCat("lists ", f, " twice"));
        }
        spec.formats.push_back(f);
      }
    } else if (m.first == "max_pixels") {
      KGATE_ASSIGN_OR_RETURN(spec.max_pixels, ReadInteger(m.second, where, key));
      if (spec.max_pixels < 1 || spec.max_pixels > kMaxImagePixels) {
        return ConfigError(where, key,
                           util::StrCat("expected an integer in 1..", kMaxImagePixels, ", got ", spec.max_pixels));
      }
    } else if (m.first == "channels") {
      KGATE_ASSIGN_OR_RETURN(spec.channels, ReadInteger(m.second, where, key));
      if (spec.channels != 1 && spec.channels != 3 && spec.channels != 4) {
        return ConfigError(where, key, util::StrCat("expected 1, 3 or 4, got ", spec.channels));
      }
    } else if (m.first == "scale") {
      KGATE_ASSIGN_OR_RETURN(spec.scale, ReadFloat32(m.second, where, key));
    } else if (m.first == "offset") {
      KGATE_ASSIGN_OR_RETURN(spec.offset, ReadFloat32(m.second, where, key));
    }
  }
  if (spec.formats.empty()) return ConfigError(where, ConfigPath(path, "formats"), "missing; expected e.g. [png, jpeg]");
  return spec;
}

absl::Status ApplyImageSpec(ImageSpec spec, std::string_view where, std::string_view path, InputRule* rule) {
  const graph::Dims& s = rule->shape;
  const bool nhwc = s.size() == 4 && (s[3] == 1 || s[3] == 3 || s[3] == 4);
  if (rule->dtype != util::DType::kFloat32 || !nhwc) {
    return ConfigError(where, path,
                       util::StrCat("image inputs need a float32 input of shape [batch, height, width, channels] "
                                    "with channels 1, 3 or 4; input '", rule->name, "' is ",
                                    util::DTypeName(rule->dtype), " ", graph::ShapeString(s)));
  }
  if (spec.channels == 0) spec.channels = s[3];
  if (spec.channels != s[3]) {
    return ConfigError(where, ConfigPath(path, "channels"),
                       util::StrCat(spec.channels, " does not match input '", rule->name, "', whose last dimension is ",
                                    s[3]));
  }
  const bool fixed = s[1] != graph::kUnknownDim && s[2] != graph::kUnknownDim;
  if (spec.max_pixels == 0) {
    if (!fixed) {
      return ConfigError(where, ConfigPath(path, "max_pixels"),
                         util::StrCat("missing; input '", rule->name, "' has a free height or width, so the largest ",
                                      "image must be stated"));
    }
    if (s[1] * s[2] > kMaxImagePixels) {
      return ConfigError(where, path, util::StrCat("input '", rule->name, "' takes ", s[1], " x ", s[2],
                                                   " images, over the ", kMaxImagePixels, "-pixel limit"));
    }
    spec.max_pixels = s[1] * s[2];
  } else if (fixed && s[1] * s[2] > spec.max_pixels) {
    return ConfigError(where, ConfigPath(path, "max_pixels"),
                       util::StrCat(spec.max_pixels, " is below the ", s[1], " x ", s[2], " images input '",
                                    rule->name, "' takes, so no image would be accepted"));
  }
  rule->image = std::move(spec);
  return absl::OkStatus();
}

}  // namespace kgate::schema
