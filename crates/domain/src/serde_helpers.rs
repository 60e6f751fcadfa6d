//! Serde helpers for event and command shapes.

/// `Option<Option<T>>` for a field of a change set (events and request
/// bodies alike): absent means
/// "unchanged", `null` means "cleared", a value means "set to". Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T, S>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize,
        S: Serializer,
    {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::double_option;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Change {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "double_option"
        )]
        phone: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_three_different_changes() {
        for (json, change) in [
            ("{}", Change { phone: None }),
            (r#"{"phone":null}"#, Change { phone: Some(None) }),
            (
                r#"{"phone":"1"}"#,
                Change {
                    phone: Some(Some("1".to_owned())),
                },
            ),
        ] {
            assert_eq!(serde_json::from_str::<Change>(json).unwrap(), change);
            assert_eq!(serde_json::to_string(&change).unwrap(), json);
        }
    }
}
