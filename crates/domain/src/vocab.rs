//! Closed vocabularies stored and sent as fixed strings (`call_status`, `lead_score`, …): one
//! macro gives each enum the same `as_str` / `parse` / `TryFrom<String>` / `Display`, and one
//! error names a string outside its vocabulary.
//!
//! `TryFrom<String>` is what lets the store decode a column straight into the enum
//! (`#[sqlx(try_from = "String")]`) without `domain` depending on sqlx; the store binds
//! `as_str()`, so the stored strings are exactly the wire strings.

/// A string that is not one of a vocabulary's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {vocabulary}")]
pub struct UnknownValue {
    /// The column or field the vocabulary belongs to (`call_status`).
    pub vocabulary: &'static str,
    pub value: String,
}

/// Implements the vocabulary methods for an existing fieldless enum:
/// `text_vocabulary!(CallStatus, "call_status", { Ringing => "ringing", … });`
macro_rules! text_vocabulary {
    ($name:ident, $vocabulary:literal, { $($variant:ident => $wire:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value whose wire form is exactly `s`.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::vocab::UnknownValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value).ok_or($crate::vocab::UnknownValue {
                    vocabulary: $vocabulary,
                    value,
                })
            }
        }

        /// A string restricted to the vocabulary's wire values.
        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {}

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_vocabulary;
