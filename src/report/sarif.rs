//! sarif report (to be written).

use super::ScanReport;
use std::io::{self, Write};

pub fn write(_report: &ScanReport, _out: &mut dyn Write) -> io::Result<()> {
    Ok(())
}
