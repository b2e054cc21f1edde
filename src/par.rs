//! Work on all cores with the `parallel` feature, in turn without it; results are identical.

/// `f` over every item, in order.
#[cfg(feature = "parallel")]
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter().map(f).collect()
}

/// `f` over every item, in order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map<T, R>(items: &[T], f: impl Fn(&T) -> R) -> Vec<R> {
    items.iter().map(f).collect()
}

/// `f` over every item, each given away (and dropped when `f` is done with it); the results
/// in order.
#[cfg(feature = "parallel")]
pub(crate) fn map_into<T: Send, R: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    items.into_par_iter().map(f).collect()
}

/// `f` over every item, each given away (and dropped when `f` is done with it); the results
/// in order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_into<T, R>(items: Vec<T>, f: impl Fn(T) -> R) -> Vec<R> {
    items.into_iter().map(f).collect()
}

/// `f` over every item, each changed in place; the results in order.
#[cfg(feature = "parallel")]
pub(crate) fn map_mut<T: Send, R: Send>(
    items: &mut [T],
    f: impl Fn(&mut T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter_mut().map(f).collect()
}

/// `f` over every item, each changed in place; the results in order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_mut<T, R>(items: &mut [T], f: impl Fn(&mut T) -> R) -> Vec<R> {
    items.iter_mut().map(f).collect()
}

/// Runs both closures, on two cores with the `parallel` feature.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    return rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    return (a(), b());
}

/// How many pieces a job is worth cutting into: the worker threads, or 1.
pub(crate) fn threads() -> usize {
    #[cfg(feature = "parallel")]
    return rayon::current_num_threads();
    #[cfg(not(feature = "parallel"))]
    return 1;
}
