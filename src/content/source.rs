//! Reading a source file into text: BOM stripped, CRLF folded, binary and invalid UTF-8 refused.

use std::path::Path;

/// Why a file could not become text; each maps to one diagnostic.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("binary file, not markdown (NUL byte at offset {offset})")]
    Binary { offset: usize },
    #[error("invalid UTF-8 at line {line}, byte {column} of the line: save the file as UTF-8")]
    InvalidUtf8 { line: u32, column: u32 },
}

pub fn read_text(path: &Path) -> Result<String, ReadError> {
    decode(std::fs::read(path)?)
}

/// Bytes to markdown text. CRLF becomes LF so that line numbers and rendering are the same on
/// every platform; a BOM is dropped.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    // Only the head is checked for NUL: enough to tell a binary file, cheap on 20 MB of text.
    if let Some(offset) = bytes.iter().take(8192).position(|&b| b == 0) {
        return Err(ReadError::Binary { offset });
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line_start = bytes[..valid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            return Err(ReadError::InvalidUtf8 {
                line,
                column: (valid - line_start) as u32 + 1,
            });
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let text = decode(b"\xEF\xBB\xBF# T\r\nline\r\n".to_vec()).unwrap();
        assert_eq!(text, "# T\nline\n");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode(b"ok\nstill ok\nbad \xFF here".to_vec()).unwrap_err();
        assert!(
            matches!(err, ReadError::InvalidUtf8 { line: 3, column: 5 }),
            "{err:?}"
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0".to_vec()),
            Err(ReadError::Binary { .. })
        ));
    }
}
