//! Checks return `syn::Result` (or `Checked`). Independent checks are joined, so one build
//! reports every error, each at its own token (`syn::Error` keeps the span of each one it
//! combines).

/// A failed check of an attribute argument: its errors, or `Reported` when the argument
/// was misspelt. The misspelling's error is given once, by the check of the argument names,
/// so one misuse is one error and the checks that need the argument stay quiet.
#[derive(Debug)]
pub(crate) enum Failed {
    Errors(syn::Error),
    Reported,
}

pub(crate) type Checked<T> = Result<T, Failed>;

impl Failed {
    /// The errors to show. `Reported` alone cannot happen, as the misspelling's own error
    /// is joined with it; if it did, this still fails the build.
    pub(crate) fn into_error(self) -> syn::Error {
        match self {
            Failed::Errors(error) => error,
            Failed::Reported => syn::Error::new(
                proc_macro2::Span::call_site(),
                "invalid #[marketplace_main] arguments",
            ),
        }
    }
}

impl From<syn::Error> for Failed {
    fn from(error: syn::Error) -> Self {
        Failed::Errors(error)
    }
}

/// Errors that several checks' errors merge into.
pub(crate) trait Merge {
    fn merge(self, other: Self) -> Self;
}

impl Merge for syn::Error {
    fn merge(mut self, other: Self) -> Self {
        self.combine(other);
        self
    }
}

impl Merge for Failed {
    fn merge(self, other: Self) -> Self {
        match (self, other) {
            (Failed::Errors(a), Failed::Errors(b)) => Failed::Errors(a.merge(b)),
            (Failed::Errors(e), Failed::Reported) | (Failed::Reported, Failed::Errors(e)) => {
                Failed::Errors(e)
            }
            (Failed::Reported, Failed::Reported) => Failed::Reported,
        }
    }
}

/// The values of independent checks, or all of their errors merged.
pub(crate) trait Join {
    type Output;
    type Error;
    fn join(self) -> Result<Self::Output, Self::Error>;
}

macro_rules! join_tuple {
    ($($v:ident: $t:ident),+) => {
        impl<Error: Merge, $($t),+> Join for ($(Result<$t, Error>,)+) {
            type Output = ($($t,)+);
            type Error = Error;

            fn join(self) -> Result<Self::Output, Error> {
                match self {
                    ($(Ok($v),)+) => Ok(($($v,)+)),
                    ($($v,)+) => Err([$($v.err()),+]
                        .into_iter()
                        .flatten()
                        .reduce(Merge::merge)
                        .expect("a tuple that is not all `Ok` holds an `Err`")),
                }
            }
        }
    };
}

/// `join_tuple!` for every tuple length from the one given down to 2.
macro_rules! join_tuples {
    ($v:ident: $t:ident) => {};
    ($v:ident: $t:ident, $($rest:tt)*) => {
        join_tuple!($v: $t, $($rest)*);
        join_tuples!($($rest)*);
    };
}

join_tuples!(a: A, b: B, c: C, d: D, e: E, f: F, g: G, h: H, i: I, j: J);

/// Every value, or every error combined.
pub(crate) fn all<T>(results: impl IntoIterator<Item = syn::Result<T>>) -> syn::Result<Vec<T>> {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(error) => errors.push(error),
        }
    }
    to_result(errors).map(|()| values)
}

/// `Ok` if there are no errors, else all of them as one.
pub(crate) fn to_result(errors: impl IntoIterator<Item = syn::Error>) -> syn::Result<()> {
    combine(errors).map_or(Ok(()), Err)
}

/// The errors as one, in order; `None` if there are none.
pub(crate) fn combine(errors: impl IntoIterator<Item = syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(Merge::merge)
}

/// Every message on a line of its own: what unit tests compare.
#[cfg(test)]
pub(crate) fn messages(error: &syn::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn error(message: &str) -> syn::Error {
        syn::Error::new(Span::call_site(), message)
    }

    #[test]
    fn join_keeps_every_error_in_order() {
        let ok: syn::Result<(u8, &str)> = (Ok(1), Ok("x")).join();
        assert_eq!(ok.unwrap(), (1, "x"));
        let err = (Err::<u8, _>(error("a")), Ok(2), Err::<u8, _>(error("c")))
            .join()
            .unwrap_err();
        assert_eq!(messages(&err), "a\nc");
    }

    #[test]
    fn all_collects_values_or_errors() {
        assert_eq!(all([Ok(1), Ok(2)]).unwrap(), [1, 2]);
        let err = all([Ok(1), Err(error("x")), Err(error("y"))]).unwrap_err();
        assert_eq!(messages(&err), "x\ny");
    }
}
