// PayloadTemplate: compiled `Parameters` / `ResultSelector` / `ItemSelector` values (see
// asl/payload_template.h).
//
// A template compiles to a tree of nodes. Subtrees without any `.$` key are kept as one literal
// and copied as a whole when applied.
#include "asl/payload_template.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "asl/intrinsics.h"

namespace sluice::asl {

namespace {

constexpr std::string_view kDollarSuffix = ".$";

bool IsDollarKey(std::string_view key) {
  return key.size() >= kDollarSuffix.size() &&
         key.substr(key.size() - kDollarSuffix.size()) == kDollarSuffix;
}

// AWS's SCHEMA_VALIDATION_FAILED wording for a bad `.$` value.
std::string BadDollarValue(const std::string& key) {
  return "The value for the field '" + key +
         "' must be a valid JSONPath or a valid intrinsic function call";
}

}  // namespace

struct PayloadTemplate::Impl {
  struct Node {
    enum class Kind {
      kLiteral,  // copied as is (no `.$` key anywhere inside)
      kObject,   // fields, in template order
      kArray,    // items
      kPath,     // a `.$` field holding a path
      kCall,     // a `.$` field holding an intrinsic function call
    };
    Kind kind = Kind::kLiteral;
    Json literal;
    std::vector<std::pair<std::string, Node>> fields;  // output key (without ".$") -> node
    std::vector<Node> items;
    std::string field;  // kPath, kCall: the template key, ".$" included, for causes
    Path path;
    std::optional<IntrinsicCall> call;
  };

  Node root;
};

namespace {

using Node = PayloadTemplate::Impl::Node;

bool HasDollarKey(const Json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (IsDollarKey(it.key()) || HasDollarKey(it.value())) return true;
    }
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (HasDollarKey(item)) return true;
    }
  }
  return false;
}

Node CompileNode(const Json& value, const std::string& pointer, Diagnostics& diagnostics);

// A `.$` field: its value must be a string holding a path or an intrinsic call.
Node CompileDollarField(const std::string& key, const Json& value, const std::string& pointer,
                        Diagnostics& diagnostics) {
  Node node;
  node.field = key;
  if (!value.is_string()) {
    diagnostics.push_back({pointer, BadDollarValue(key)});
    return node;
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (IntrinsicCall::LooksLikeCall(text)) {
    auto call = IntrinsicCall::Parse(text);
    if (!call.ok()) {
      diagnostics.push_back({pointer, BadDollarValue(key) + ": " + call.error()});
      return node;
    }
    node.kind = Node::Kind::kCall;
    node.call = std::move(call.value());
    return node;
  }
  auto path = Path::Parse(text);
  if (!path.ok()) {
    diagnostics.push_back(
        {pointer, BadDollarValue(key) + ": invalid path '" + text + "': " + path.error()});
    return node;
  }
  node.kind = Node::Kind::kPath;
  node.path = std::move(path.value());
  return node;
}

Node CompileObject(const Json& value, const std::string& pointer, Diagnostics& diagnostics) {
  Node node;
  node.kind = Node::Kind::kObject;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    std::string child_pointer = JoinPointer(pointer, key);
    if (IsDollarKey(key)) {
      std::string out_key = key.substr(0, key.size() - kDollarSuffix.size());
      node.fields.emplace_back(std::move(out_key),
                               CompileDollarField(key, it.value(), child_pointer, diagnostics));
    } else {
      node.fields.emplace_back(key, CompileNode(it.value(), child_pointer, diagnostics));
    }
  }
  return node;
}

Node CompileNode(const Json& value, const std::string& pointer, Diagnostics& diagnostics) {
  if (!HasDollarKey(value)) {
    Node node;
    node.literal = value;
    return node;
  }
  if (value.is_object()) return CompileObject(value, pointer, diagnostics);
  Node node;
  node.kind = Node::Kind::kArray;
  for (size_t i = 0; i < value.size(); ++i) {
    node.items.push_back(
        CompileNode(value[i], JoinPointer(pointer, std::to_string(i)), diagnostics));
  }
  return node;
}

// The document a path reads: what AWS prints as "the input" when the path finds nothing.
const Json& PathDocument(const Path& path, const EvalScope& scope) {
  switch (path.root()) {
    case PathRoot::kContext:
      return scope.context;
    case PathRoot::kData:
    case PathRoot::kVariable:
      return scope.data;
  }
  return scope.data;
}

Result<Json, AslError> ApplyNode(const Node& node, const EvalScope& scope);

Result<Json, AslError> ApplyPath(const Node& node, const EvalScope& scope) {
  auto value = node.path.Select(scope);
  if (value.ok()) return std::move(value.value());
  return Fail(AslError{std::string(errors::kRuntime),
                       "The JSONPath '" + node.path.text() + "' specified for the field '" +
                           node.field + "' could not be found in the input '" +
                           PathDocument(node.path, scope).dump() + "'"});
}

Result<Json, AslError> ApplyObject(const Node& node, const EvalScope& scope) {
  Json out = Json::object();
  for (const auto& [key, child] : node.fields) {
    auto value = ApplyNode(child, scope);
    if (!value.ok()) return Fail(std::move(value).error());
    out[key] = std::move(value.value());
  }
  return out;
}

Result<Json, AslError> ApplyArray(const Node& node, const EvalScope& scope) {
  Json out = Json::array();
  for (const Node& child : node.items) {
    auto value = ApplyNode(child, scope);
    if (!value.ok()) return Fail(std::move(value).error());
    out.push_back(std::move(value.value()));
  }
  return out;
}

Result<Json, AslError> ApplyNode(const Node& node, const EvalScope& scope) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kObject:
      return ApplyObject(node, scope);
    case Node::Kind::kArray:
      return ApplyArray(node, scope);
    case Node::Kind::kPath:
      return ApplyPath(node, scope);
    case Node::Kind::kCall:
      return node.call->Evaluate(scope, node.field);
  }
  return Json(nullptr);
}

}  // namespace

Result<PayloadTemplate, Diagnostics> PayloadTemplate::Compile(const Json& tmpl,
                                                              const std::string& pointer) {
  Diagnostics diagnostics;
  auto impl = std::make_shared<Impl>();
  impl->root = CompileNode(tmpl, pointer, diagnostics);
  if (!diagnostics.empty()) return Fail(std::move(diagnostics));
  PayloadTemplate compiled;
  compiled.impl_ = std::move(impl);
  return compiled;
}

Result<Json, AslError> PayloadTemplate::Apply(const EvalScope& scope) const {
  if (impl_ == nullptr) return Json(nullptr);  // a default-constructed (empty) template
  return ApplyNode(impl_->root, scope);
}

}  // namespace sluice::asl
