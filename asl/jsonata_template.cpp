// JsonataTemplate: see jsonata_template.h.
#include "asl/jsonata_template.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace sluice::asl {

namespace {

constexpr std::string_view kOpen = "{%";
constexpr std::string_view kClose = "%}";

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

AslError QueryError(std::string cause) {
  return AslError{std::string(errors::kQueryEvaluationError), std::move(cause)};
}

std::string Describe(const std::string& text, std::string_view field) {
  return "The JSONata expression '" + text + "' specified for the field '" + std::string(field) +
         "'";
}

}  // namespace

bool IsJsonataExpression(const Json& value) {
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  return text.size() >= kOpen.size() + kClose.size() && text.starts_with(kOpen) &&
         text.ends_with(kClose);
}

std::string JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

struct JsonataTemplate::Node {
  enum class Kind { kLiteral, kExpression, kObject, kArray };
  Kind kind = Kind::kLiteral;
  Json literal;                                       // kLiteral
  std::string text;                                   // kExpression: the trimmed expression
  std::optional<jsonata::Expression> expression;      // kExpression
  std::vector<std::pair<std::string, Node>> members;  // kObject
  std::vector<Node> items;                            // kArray

  static Result<Node, std::string> Build(const Json& value) {
    Node node;
    if (IsJsonataExpression(value)) {
      const auto& raw = value.get_ref<const std::string&>();
      node.kind = Kind::kExpression;
      node.text = Trim(
          std::string_view(raw).substr(kOpen.size(), raw.size() - kOpen.size() - kClose.size()));
      auto parsed = jsonata::Expression::Parse(node.text);
      if (!parsed.ok()) {
        const auto& e = parsed.error();
        std::string where = e.position >= 0 ? " at position " + std::to_string(e.position) : "";
        return Fail("invalid JSONata expression '" + node.text + "': " + e.code + where + ": " +
                    e.message);
      }
      node.expression = std::move(parsed).value();
    } else if (value.is_object()) {
      node.kind = Kind::kObject;
      for (auto it = value.begin(); it != value.end(); ++it) {
        auto child = Build(it.value());
        if (!child.ok()) return Fail(std::move(child).error());
        node.members.emplace_back(it.key(), std::move(child).value());
      }
    } else if (value.is_array()) {
      node.kind = Kind::kArray;
      for (const auto& element : value) {
        auto child = Build(element);
        if (!child.ok()) return Fail(std::move(child).error());
        node.items.push_back(std::move(child).value());
      }
    } else {
      node.literal = value;
    }
    return node;
  }

  Result<Json, AslError> Evaluate(const Json& input, const Json& bindings, const std::string& field,
                                  const jsonata::Environment& env) const {
    switch (kind) {
      case Kind::kLiteral:
        return literal;
      case Kind::kExpression:
        return EvaluateExpression(input, bindings, field, env);
      case Kind::kObject: {
        Json out = Json::object();
        for (const auto& [key, child] : members) {
          auto v = child.Evaluate(input, bindings, field + "/" + key, env);
          if (!v.ok()) return v;
          out[key] = std::move(v).value();
        }
        return out;
      }
      case Kind::kArray: {
        Json out = Json::array();
        for (size_t i = 0; i < items.size(); ++i) {
          auto v = items[i].Evaluate(input, bindings, field + "[" + std::to_string(i) + "]", env);
          if (!v.ok()) return v;
          out.push_back(std::move(v).value());
        }
        return out;
      }
    }
    return Json();
  }

  Result<Json, AslError> EvaluateExpression(const Json& input, const Json& bindings,
                                            const std::string& field,
                                            const jsonata::Environment& env) const {
    Json value;
    auto r = expression->Run(&input, bindings, env, &value);
    if (!r.ok()) {
      const auto& e = r.error();
      return Fail(QueryError(Describe(text, field) + " threw an error during evaluation. " +
                             e.code + ": " + e.message));
    }
    switch (r.value()) {
      case jsonata::Outcome::kValue:
        return value;
      case jsonata::Outcome::kUndefined:
        return Fail(QueryError(Describe(text, field) + " returned nothing (undefined)."));
      case jsonata::Outcome::kFunction:
        return Fail(QueryError(Describe(text, field) + " returned an unsupported result type."));
    }
    return Json();
  }
};

Result<JsonataTemplate, std::string> JsonataTemplate::Compile(const Json& value) {
  auto node = Node::Build(value);
  if (!node.ok()) return Fail(std::move(node).error());
  JsonataTemplate t;
  t.root_ = std::make_shared<const Node>(std::move(node).value());
  return t;
}

Result<Json, AslError> JsonataTemplate::Evaluate(const Json& input, const Json& bindings,
                                                 std::string_view field,
                                                 const jsonata::Environment& env) const {
  return root_->Evaluate(input, bindings, std::string(field), env);
}

bool JsonataTemplate::is_expression() const { return root_->kind == Node::Kind::kExpression; }

const std::string& JsonataTemplate::expression_text() const { return root_->text; }

}  // namespace sluice::asl
