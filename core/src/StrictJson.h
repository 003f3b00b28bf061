#pragma once
// Private: values read from JSON files strictly typed. nlohmann's own conversions take 8.7 as the int
// 8, 1e30 as any int (undefined behaviour), and throw type errors that name no key; here a value of
// the wrong kind, a fraction where a whole number belongs or a number out of the type's range is an
// Error naming the key ("batch must be a whole number in range, not 1e+30").
#include "jezero/core/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace jezero::detail {

// A value as JSON text on one line, in ASCII (escapes for newlines and non-ASCII), cut after 40
// characters: fit to quote in a one-line error.
inline std::string jsonShown(const nlohmann::json& value) {
    std::string shown = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    if (shown.size() > 40) shown = shown.substr(0, 40) + "…";
    return shown;
}
// A user's text quoted the same way ("unet", "a\nb").
inline std::string jsonQuoted(const std::string& text) { return jsonShown(nlohmann::json(text)); }

// A key path as errors name it: as it is when printable ASCII, else quoted (a key from a file may hold
// a newline).
inline std::string plainName(const std::string& name) {
    for (unsigned char c : name)
        if (c < 0x20 || c >= 0x7f) return jsonQuoted(name);
    return name;
}

[[noreturn]] inline void badJsonValue(const std::string& name, const char* expected, const nlohmann::json& value) {
    throw Error(name + " must be " + expected + ", not " + jsonShown(value));
}

// The value as T (bool, std::string, an integer type or double); name is what the error calls it.
template <class T>
T jsonAs(const nlohmann::json& v, const std::string& name) {
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean()) badJsonValue(name, "true or false", v);
        return v.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string()) badJsonValue(name, "text", v);
        return v.get<std::string>();
    } else if constexpr (std::is_integral_v<T>) {
        const auto low = static_cast<long double>(std::numeric_limits<T>::min()), high = static_cast<long double>(std::numeric_limits<T>::max());
        long double n = 0;
        if (v.is_number_unsigned()) n = static_cast<long double>(v.get<std::uint64_t>());
        else if (v.is_number_integer()) n = static_cast<long double>(v.get<std::int64_t>());
        else if (v.is_number_float()) n = static_cast<long double>(v.get<double>());
        else badJsonValue(name, "a whole number", v);
        if (!(n >= low && n <= high) || n != std::floor(n)) badJsonValue(name, "a whole number in range", v);
        return static_cast<T>(n);
    } else {
        static_assert(std::is_same_v<T, double>, "jsonAs reads bool, text, whole numbers and double");
        if (!v.is_number()) badJsonValue(name, "a number", v);
        return v.get<double>();
    }
}

// object[key] as T, or fallback when the key is absent; prefix goes before the key in errors.
template <class T>
T jsonValue(const nlohmann::json& object, const std::string& key, T fallback, const std::string& prefix = "") {
    return object.contains(key) ? jsonAs<T>(object.at(key), plainName(prefix + key)) : fallback;
}

// object[key] as T; an Error when the key is absent.
template <class T>
T jsonRequired(const nlohmann::json& object, const std::string& key, const std::string& prefix = "") {
    if (!object.is_object() || !object.contains(key)) throw Error(jsonQuoted(prefix + key) + " is missing");
    return jsonAs<T>(object.at(key), plainName(prefix + key));
}

} // namespace jezero::detail
