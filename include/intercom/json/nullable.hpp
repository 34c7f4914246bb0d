// intercom::nullable<T>: a field that can be absent, explicitly null, or hold a value.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

namespace intercom {

/// Tri-state field: unset (omitted from JSON), null (sent as `null`, e.g. to clear a value),
/// or a value. Used for every property the API declares nullable.
template <class T>
class nullable {
public:
    nullable() = default;
    nullable(std::nullptr_t) : null_(true) {}  // NOLINT: `x = nullptr` asks for an explicit null
    nullable(T v) : value_(std::move(v)) {}     // NOLINT
    template <class U>
        requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::decay_t<U>, nullable>) &&
                 (!std::is_same_v<std::decay_t<U>, std::nullptr_t>)
    nullable(U&& v) : value_(T(std::forward<U>(v))) {}  // NOLINT

    bool has_value() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    /// True when the field is explicitly null.
    bool is_null() const noexcept { return null_; }
    /// True when the field will be written (value or null).
    bool is_set() const noexcept { return null_ || value_.has_value(); }

    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& value() & { return value_.value(); }
    const T& value() const& { return value_.value(); }
    template <class U>
    T value_or(U&& d) const {
        return value_.value_or(std::forward<U>(d));
    }
    /// The value as a plain optional (null and unset both give `nullopt`).
    const std::optional<T>& as_optional() const noexcept { return value_; }

    void reset() noexcept {
        value_.reset();
        null_ = false;
    }
    void set_null() noexcept {
        value_.reset();
        null_ = true;
    }
    template <class... A>
    T& emplace(A&&... a) {
        null_ = false;
        return value_.emplace(std::forward<A>(a)...);
    }

    friend bool operator==(const nullable& a, const nullable& b) {
        return a.null_ == b.null_ && a.value_ == b.value_;
    }

private:
    std::optional<T> value_;
    bool null_ = false;
};

} // namespace intercom
