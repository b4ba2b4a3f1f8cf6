//! A request's context as Python handlers see it: progress reports, log messages
//! and cancellation, through the same Rust `Context` the macros' handlers get.

use boltmcp::protocol::LoggingLevel;
use boltmcp::server::Context;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The native half of `boltmcp.Context`.
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeContext {
    pub(crate) ctx: Context,
}

#[pymethods]
impl NativeContext {
    /// Reports progress, when the client asked for it (values that do not grow are
    /// dropped).
    #[pyo3(signature = (progress, total = None, message = None))]
    fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        self.ctx.progress(progress, total, message);
    }

    /// Sends a log message (`data` as JSON text) at `level`, if the client asked for
    /// that level.
    #[pyo3(signature = (level, data, logger = None))]
    fn log(&self, level: &str, data: &str, logger: Option<&str>) -> PyResult<()> {
        let level: LoggingLevel = serde_json::from_value(serde_json::Value::from(level))
            .map_err(|_| PyValueError::new_err(format!("{level:?} is not a log level")))?;
        let data: serde_json::Value = serde_json::from_str(data)
            .map_err(|err| PyValueError::new_err(format!("the log data: {err}")))?;
        self.ctx.log(level, logger, data);
        Ok(())
    }

    /// Whether the client cancelled the request.
    fn is_cancelled(&self) -> bool {
        self.ctx.is_cancelled()
    }
}
