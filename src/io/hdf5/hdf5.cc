// The public entry points (Open, Root, OpenPath, OpenObject, ReadData,
// ReadStrings, Visit).
#include <unordered_set>
#include <utility>

#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/chunks.h"
#include "io/hdf5/internal/object.h"
#include "io/hdf5/internal/superblock.h"
#include "io/hdf5/internal/values.h"
#include "util/status_macros.h"

namespace kgate::io::hdf5 {

using util::StrCat;

namespace {

// The context of one public call: the file's context plus a fresh work budget.
struct CallContext {
  explicit CallContext(const internal::Context& base) : budget(base.file.size()), ctx(base) { ctx.budget = &budget; }
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;
  internal::WorkBudget budget;
  internal::Context ctx;
};

}  // namespace

struct File::Impl {
  internal::Context ctx;  // without a budget; each call adds its own
  uint64_t root_address = 0;

  absl::StatusOr<internal::ObjectInfo> Parse(const internal::Context& ctx, uint64_t address,
                                             std::string_view path) const {
    auto info = internal::ParseObject(ctx, address);
    if (!info.ok()) return util::Annotate(info.status(), StrCat("hdf5: ", internal::Printable(path), ": "));
    return info;
  }

  absl::StatusOr<internal::DatasetInfo> ParseDataset(const internal::Context& ctx, const Dataset& dataset) const {
    KGATE_ASSIGN_OR_RETURN(internal::ObjectInfo info, Parse(ctx, dataset.address, dataset.path));
    if (info.is_group) {
      return absl::InvalidArgumentError(
          StrCat("hdf5: ", internal::Printable(dataset.path), ": object at offset ", dataset.address,
                 " is a group, not a dataset"));
    }
    return std::move(info.dataset);
  }

  // The public view of an object.
  absl::StatusOr<Object> MakeObject(const internal::Context& ctx, uint64_t address, std::string_view path) const {
    KGATE_ASSIGN_OR_RETURN(internal::ObjectInfo info, Parse(ctx, address, path));
    if (info.is_group) {
      Group g;
      g.path = std::string(path);
      g.address = address;
      g.links = std::move(info.links);
      g.attributes = std::move(info.attributes);
      return Object(std::move(g));
    }
    Dataset d;
    d.path = std::string(path);
    d.address = address;
    d.type = info.dataset.type.type;
    d.space = std::move(info.dataset.space.space);
    d.layout = info.dataset.layout.kind;
    d.attributes = std::move(info.attributes);
    return Object(std::move(d));
  }

  // The raw bytes of a parsed dataset.
  absl::StatusOr<DataBuffer> Read(const internal::Context& ctx, const internal::DatasetInfo& d,
                                  std::string_view path) const {
    const internal::LayoutInfo& l = d.layout;
    switch (l.kind) {
      case Layout::kCompact:
        return DataBuffer::View(l.compact);
      case Layout::kContiguous:
        if (d.declared_bytes == 0) return DataBuffer::View({});
        return DataBuffer::View(ctx.file.subspan(l.address, l.size));  // bounds checked at parse
      case Layout::kChunked: {
        auto bytes = internal::ReadChunked(ctx, d);
        if (!bytes.ok()) return util::Annotate(bytes.status(), StrCat("hdf5: ", internal::Printable(path), ": "));
        return DataBuffer::Owned(std::move(*bytes));
      }
    }
    return absl::InternalError("hdf5: unknown layout");
  }
};

File::File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
File::File(File&&) noexcept = default;
File& File::operator=(File&&) noexcept = default;
File::~File() = default;

absl::StatusOr<File> File::Open(std::span<const uint8_t> bytes, const Limits& limits) {
  auto sb = internal::ParseSuperblock(bytes);
  if (!sb.ok()) return util::Annotate(sb.status(), "hdf5: ");
  auto impl = std::make_unique<Impl>();
  impl->ctx.file = bytes.first(sb->eof_address);
  impl->ctx.offset_size = sb->offset_size;
  impl->ctx.length_size = sb->length_size;
  impl->ctx.limits = limits;
  impl->root_address = sb->root_address;
  if (sb->has_extension) {
    CallContext call(impl->ctx);
    absl::Status s = internal::CheckSuperblockExtension(call.ctx, sb->extension_address);
    if (!s.ok()) return util::Annotate(s, "hdf5: ");
  }
  File file(std::move(impl));
  KGATE_RETURN_IF_ERROR(file.Root().status());
  return file;
}

absl::StatusOr<Object> File::OpenObject(uint64_t address, std::string_view path) const {
  CallContext call(impl_->ctx);
  return impl_->MakeObject(call.ctx, address, path);
}

absl::StatusOr<Group> File::Root() const {
  KGATE_ASSIGN_OR_RETURN(Object root, OpenObject(impl_->root_address, "/"));
  if (!std::holds_alternative<Group>(root)) {
    return internal::Malformed("hdf5: /: the root object is not a group");
  }
  return std::get<Group>(std::move(root));
}

absl::StatusOr<Object> File::OpenPath(std::string_view path) const {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(StrCat("hdf5: path \"", internal::Printable(path), "\" is not absolute"));
  }
  CallContext call(impl_->ctx);
  KGATE_ASSIGN_OR_RETURN(Object current, impl_->MakeObject(call.ctx, impl_->root_address, "/"));
  std::string walked;
  uint32_t depth = 0;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view name = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (name.empty()) continue;
    if (name == "." || name == "..") {
      return absl::InvalidArgumentError(StrCat("hdf5: path \"", internal::Printable(path), "\" contains '", name, "'"));
    }
    if (++depth > impl_->ctx.limits.max_path_depth) {
      return internal::OverLimit(util::rules::kHdf5Malformed,
                                 StrCat("hdf5: path \"", internal::Printable(path), "\" is deeper than max_path_depth ",
                                        impl_->ctx.limits.max_path_depth));
    }
    const std::string parent = walked.empty() ? "/" : walked;
    walked += "/";
    walked += name;
    const Group* group = std::get_if<Group>(&current);
    if (group == nullptr) {
      return absl::NotFoundError(StrCat("hdf5: ", internal::Printable(parent), " is a dataset, not a group"));
    }
    const Link* link = group->FindLink(name);
    if (link == nullptr) {
      return absl::NotFoundError(StrCat("hdf5: ", internal::Printable(walked), ": no such link in ",
                                        internal::Printable(parent)));
    }
    switch (link->kind) {
      case LinkKind::kHard: {
        const uint64_t address = link->address;
        KGATE_ASSIGN_OR_RETURN(current, impl_->MakeObject(call.ctx, address, walked));
        break;
      }
      case LinkKind::kSoft:
        return util::RuleError(util::rules::kHdf5SoftLink,
                               StrCat("hdf5: ", internal::Printable(walked), ": soft link to \"",
                                      internal::Printable(link->target), "\" is not followed"));
      case LinkKind::kExternal:
        return util::RuleError(util::rules::kHdf5ExternalLink,
                               StrCat("hdf5: ", internal::Printable(walked), ": external link to \"",
                                      internal::Printable(link->target), "\" is never followed"));
      case LinkKind::kUserDefined:
        return util::RuleError(util::rules::kHdf5SoftLink,
                               StrCat("hdf5: ", internal::Printable(walked), ": ",
                                      internal::Printable(link->target), " is not followed"));
    }
  }
  return current;
}

absl::StatusOr<DataBuffer> File::ReadData(const Dataset& dataset) const {
  CallContext call(impl_->ctx);
  KGATE_ASSIGN_OR_RETURN(internal::DatasetInfo d, impl_->ParseDataset(call.ctx, dataset));
  return impl_->Read(call.ctx, d, dataset.path);
}

absl::StatusOr<std::vector<std::string>> File::ReadStrings(const Dataset& dataset) const {
  CallContext call(impl_->ctx);
  KGATE_ASSIGN_OR_RETURN(internal::DatasetInfo d, impl_->ParseDataset(call.ctx, dataset));
  const TypeClass cls = d.type.type.type_class;
  if (cls != TypeClass::kFixedString && cls != TypeClass::kVlenString) {
    return absl::InvalidArgumentError(
        StrCat("hdf5: ", internal::Printable(dataset.path), ": not a string dataset"));
  }
  KGATE_ASSIGN_OR_RETURN(DataBuffer raw, impl_->Read(call.ctx, d, dataset.path));
  std::vector<std::string> out;
  uint64_t budget = impl_->ctx.limits.max_dataset_bytes;
  absl::Status s = internal::DecodeStrings(call.ctx, d.type, raw.bytes(), d.space.space.num_elements(),
                                           &budget, &out);
  if (!s.ok()) return util::Annotate(s, StrCat("hdf5: ", internal::Printable(dataset.path), ": "));
  return out;
}

absl::Status File::Visit(
    const std::function<void(std::string_view path, const absl::StatusOr<Object>& object)>& visit,
    const std::function<void(std::string_view group_path, const Link& link)>& on_link) const {
  struct Frame {
    std::string path;
    std::vector<Link> links;
    size_t next = 0;
    uint32_t depth = 0;
  };
  if (!visit) return absl::InvalidArgumentError("hdf5: Visit needs a visit callback");
  const Limits& limits = impl_->ctx.limits;
  CallContext call(impl_->ctx);  // one budget for the whole walk
  std::unordered_set<uint64_t> visited = {impl_->root_address};
  absl::StatusOr<Object> root = impl_->MakeObject(call.ctx, impl_->root_address, "/");
  if (!root.ok()) return root.status();
  visit("/", root);
  std::vector<Frame> stack;
  if (Group* g = std::get_if<Group>(&*root)) stack.push_back({"/", std::move(g->links), 0, 0});
  uint64_t objects = 1;
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.links.size()) {
      stack.pop_back();
      continue;
    }
    const Link link = frame.links[frame.next++];
    const std::string path = frame.path == "/" ? StrCat("/", link.name) : StrCat(frame.path, "/", link.name);
    const uint32_t depth = frame.depth + 1;
    if (link.kind != LinkKind::kHard) {
      if (on_link) on_link(frame.path, link);
      continue;
    }
    if (!visited.insert(link.address).second) continue;  // already visited under another path
    if (++objects > limits.max_objects_visited) {
      return internal::OverLimit(util::rules::kHdf5Malformed,
                                 StrCat("hdf5: more than ", limits.max_objects_visited,
                                        " objects (max_objects_visited)"));
    }
    if (depth > limits.max_path_depth) {
      visit(path, internal::OverLimit(util::rules::kHdf5Malformed,
                                      StrCat("hdf5: ", internal::Printable(path), ": nested deeper than max_path_depth ",
                                             limits.max_path_depth)));
      continue;
    }
    absl::StatusOr<Object> object = impl_->MakeObject(call.ctx, link.address, path);
    if (call.budget.exhausted()) return object.status();  // the walk cannot continue
    visit(path, object);
    if (object.ok()) {
      if (Group* g = std::get_if<Group>(&*object)) stack.push_back({path, std::move(g->links), 0, depth});
    }
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5
