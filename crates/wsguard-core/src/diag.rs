//! The common face of every rejection: a stable code, a sentence and a remedy.

/// Implemented by every error and denial type in wsguard.
///
/// The three strings are `'static` so they can cross the C ABI and be logged on a
/// microcontroller without formatting.
///
/// ```
/// use wsguard_core::Diagnostic;
/// use wsguard_core::close::classify;
/// // Types implementing Diagnostic expose code/reason/remedy:
/// fn show(d: &dyn Diagnostic) -> (&'static str, &'static str) { (d.code(), d.reason()) }
/// # let _ = show;
/// # let _ = classify(1000);
/// ```
pub trait Diagnostic {
    /// Stable machine code in `snake_case`, e.g. `"origin_not_allowed"`. Never changes
    /// meaning once released; safe to match on in any language.
    fn code(&self) -> &'static str;
    /// One sentence a person understands, saying what went wrong.
    fn reason(&self) -> &'static str;
    /// What to change so that it works.
    fn remedy(&self) -> &'static str;
}

/// Generates, from one table per enum, its [`Diagnostic`] impl, its `ALL` list and the
/// accessors of its other columns (HTTP status, close code, severity …), so that the
/// `match` blocks cannot drift apart and no list of variants is kept by hand.
///
/// ```ignore
/// crate::diag::diagnostics! {
///     ProtocolError in "wsguard_core::frame" {
///         /// The close code to send (doc comment and example as for any method).
///         pub fn close_code(&self) -> u16;
///     }
///     ReservedBits => {
///         code: "frame_reserved_bits",
///         reason: "the peer set RSV1 …",
///         remedy: "negotiate the extension …",
///         close_code: 1002,
///     },
///     // A variant with data binds it for its cells; `each:` lists it in `ALL` once per
///     // value of a slice, `example:` once with that value, neither: not listed.
///     Host(d) => { each: HostDenial::ALL, code: d.code(), reason: d.reason(), remedy: d.remedy(), close_code: 1008 },
///     BufferTooSmall { .. } => { example: Self::BufferTooSmall { needed: 0 }, code: "buffer_too_small", … },
/// }
/// ```
///
/// * Every row gives `code`, `reason`, `remedy`, then one cell per accessor declared in the
///   header, by name (a missing or misspelled cell does not compile). Accessors are `const fn`.
/// * `ALL` (`pub const ALL: &[Self]`) holds the values in table order; `in "path"` is
///   where the type is public, for the generated doc example.
/// * A generic type names its parameters (`Error<E> in "wsguard_core::io" { … }`,
///   `ClientFailure<'b> …`); it gets no `ALL`, since its data is the caller's type.
/// * Words after the path: `const` also makes `code`, `reason` and `remedy` inherent
///   `const fn`s (`Malformed in "wsguard_core::origin" const display { … }`); `display`
///   implements `Display` as the reason.
macro_rules! diagnostics {
    (
        $T:ident $(< $($g:tt),+ >)? in $path:literal $($flag:ident)* {
            $( $(#[$fm:meta])* $fvis:vis fn $f:ident(&self) -> $fty:ty; )*
        }
        $(
            $V:ident $( ( $($tp:tt)* ) )? $( { $($sp:tt)* } )? => {
                $(each: $each:expr,)?
                $(example: $ex:expr,)?
                code: $code:expr,
                reason: $reason:expr,
                remedy: $remedy:expr
                $(, $k:ident: $x:expr)* $(,)?
            },
        )+
    ) => {
        $crate::diag::diagnostics!(@display [$($flag)*] [$($($g),+)?] $T);
        $crate::diag::diagnostics!(@codes [$($flag)*] [$($($g),+)?] $T $path
            $( [$V [$( ( $($tp)* ) )? $( { $($sp)* } )?] $code; $reason; $remedy] )+);

        const _: () = {
            #[allow(dead_code)]
            struct Row { $( $f: $fty, )* }
            impl<$($($g),+)?> $T<$($($g),+)?> {
                #[inline(always)]
                #[allow(dead_code)]
                const fn __diag_row(&self) -> Row {
                    match self {
                        $(
                            #[allow(unused_variables)]
                            $T::$V $( ( $($tp)* ) )? $( { $($sp)* } )? => Row { $( $k: $x, )* },
                        )+
                    }
                }
                $(
                    $(#[$fm])*
                    $fvis const fn $f(&self) -> $fty {
                        self.__diag_row().$f
                    }
                )*
            }
        };

        $crate::diag::diagnostics!(@all [$($($g),+)?] $T $path
            $( [$V [$( ( $($tp)* ) )? $( { $($sp)* } )?] [$(each $each)? $(example $ex)?]] )+);
    };

    // `ALL`, for a type without generic parameters (the data of a generic one is the
    // caller's type, which the table cannot list).
    (@all [] $T:ident $path:literal $( [$V:ident [$($pat:tt)*] [$($list:tt)*]] )+) => {
        impl $T {
            #[doc = concat!(
                "Every [`", stringify!($T), "`] in the order of its diagnostics table: each value \
                 without data, and a value that carries data once with the table's example or \
                 once per value it wraps.\n\n```\nuse wsguard_core::Diagnostic;\nuse ",
                $path, "::", stringify!($T), ";\nassert!(", stringify!($T),
                "::ALL.iter().all(|e| !e.code().is_empty() && !e.remedy().is_empty()));\n```"
            )]
            pub const ALL: &'static [Self] = &{
                let mut out = [$crate::diag::diagnostics!(@first $T $( [$V [$($pat)*] [$($list)*]] )+);
                    0 $( + $crate::diag::diagnostics!(@count [$($pat)*] [$($list)*]) )+];
                let mut i = 0;
                $( $crate::diag::diagnostics!(@item out i $T $V [$($pat)*] [$($list)*]); )+
                assert!(i == out.len());
                out
            };
        }
    };
    (@all [$($g:tt),+] $($rest:tt)*) => {};

    // The Diagnostic impl, or inherent `const fn`s and an impl that calls them.
    (@codes [] [$($g:tt),*] $T:ident $path:literal $( [$V:ident [$($pat:tt)*] $code:expr; $reason:expr; $remedy:expr] )+) => {
        impl<$($g),*> $crate::Diagnostic for $T<$($g),*> {
            fn code(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $code, )+ }
            }
            fn reason(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $reason, )+ }
            }
            fn remedy(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $remedy, )+ }
            }
        }
    };
    (@codes [const $($flag:ident)*] [] $T:ident $path:literal $( [$V:ident [$($pat:tt)*] $code:expr; $reason:expr; $remedy:expr] )+) => {
        impl $T {
            #[doc = concat!(
                "The stable code, as [`Diagnostic::code`](crate::Diagnostic::code) but usable in \
                 `const` contexts.\n\n```\nuse ", $path, "::", stringify!($T), ";\nconst CODE: &str = ",
                stringify!($T), "::ALL[0].code();\nassert!(!CODE.is_empty());\n```"
            )]
            pub const fn code(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $code, )+ }
            }
            #[doc = concat!(
                "One sentence saying what is wrong, as [`Diagnostic::reason`](crate::Diagnostic::reason) \
                 but usable in `const` contexts.\n\n```\nuse ", $path, "::", stringify!($T),
                ";\nassert!(!", stringify!($T), "::ALL[0].reason().is_empty());\n```"
            )]
            pub const fn reason(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $reason, )+ }
            }
            #[doc = concat!(
                "What to change, as [`Diagnostic::remedy`](crate::Diagnostic::remedy) but usable in \
                 `const` contexts.\n\n```\nuse ", $path, "::", stringify!($T),
                ";\nassert!(!", stringify!($T), "::ALL[0].remedy().is_empty());\n```"
            )]
            pub const fn remedy(&self) -> &'static str {
                match self { $( #[allow(unused_variables)] $T::$V $($pat)* => $remedy, )+ }
            }
        }
        impl $crate::Diagnostic for $T {
            fn code(&self) -> &'static str {
                $T::code(self)
            }
            fn reason(&self) -> &'static str {
                $T::reason(self)
            }
            fn remedy(&self) -> &'static str {
                $T::remedy(self)
            }
        }
    };

    (@codes [$first:ident $($flag:ident)*] $($rest:tt)+) => {
        $crate::diag::diagnostics!(@codes [$($flag)*] $($rest)+);
    };

    // `Display` as the reason, when the header says `display`.
    (@display [display $($flag:ident)*] [$($g:tt),*] $T:ident) => {
        impl<$($g),*> core::fmt::Display for $T<$($g),*> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($crate::Diagnostic::reason(self))
            }
        }
    };
    (@display [$first:ident $($flag:ident)*] $($rest:tt)+) => {
        $crate::diag::diagnostics!(@display [$($flag)*] $($rest)+);
    };
    (@display [] $($rest:tt)+) => {};

    // The first value of `ALL` (what its array starts filled with).
    (@first $T:ident [$V:ident [] []] $($rest:tt)*) => { $T::$V };
    (@first $T:ident [$V:ident [$($pat:tt)*] [each $src:expr]] $($rest:tt)*) => { $T::$V($src[0]) };
    (@first $T:ident [$V:ident [$($pat:tt)*] [example $ex:expr]] $($rest:tt)*) => { $ex };
    (@first $T:ident [$V:ident [$($pat:tt)+] []] $($rest:tt)*) => {
        $crate::diag::diagnostics!(@first $T $($rest)*)
    };

    // How many values a row adds to `ALL`, and the statements that add them.
    (@count [] []) => { 1 };
    (@count [$($pat:tt)+] []) => { 0 };
    (@count [$($pat:tt)*] [each $src:expr]) => { $src.len() };
    (@count [$($pat:tt)*] [example $ex:expr]) => { 1 };
    (@item $out:ident $i:ident $T:ident $V:ident [] []) => {
        $out[$i] = $T::$V;
        $i += 1;
    };
    (@item $out:ident $i:ident $T:ident $V:ident [$($pat:tt)+] []) => {};
    (@item $out:ident $i:ident $T:ident $V:ident [$($pat:tt)*] [each $src:expr]) => {
        let mut j = 0;
        while j < $src.len() {
            $out[$i] = $T::$V($src[j]);
            $i += 1;
            j += 1;
        }
    };
    (@item $out:ident $i:ident $T:ident $V:ident [$($pat:tt)*] [example $ex:expr]) => {
        $out[$i] = $ex;
        $i += 1;
    };
}
pub(crate) use diagnostics;
