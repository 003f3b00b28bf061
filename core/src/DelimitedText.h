#pragma once
// Private helper: reads small numeric tables (comma, tab or space separated; '#' comments; an
// optional header row) the way all of Jezero's bundled tables are written.
#include <istream>
#include <string>
#include <vector>

namespace jezero::detail {

struct DelimitedTable {
    std::vector<std::string> header;             // empty when the first row is numeric
    std::vector<std::vector<std::string>> rows;  // fields as text, trimmed
    std::vector<int> lineNumbers;                // 1-based line of each row, for error messages
};

// Throws Error("cannot read PATH: ...") when the file cannot be opened or holds no rows.
DelimitedTable readDelimitedTable(const std::string& path);
// The same from a stream; path names the table in errors.
DelimitedTable parseDelimitedTable(std::istream& in, const std::string& path);

// Parses field as a double; throws Error naming path and line when it is not a number.
double parseNumber(const std::string& field, const std::string& path, int line);

} // namespace jezero::detail
