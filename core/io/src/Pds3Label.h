#pragma once
// Private: the few PDS3 label facts GDAL's PDS driver does not expose (the ROWNUM table pointer and
// shape, MRO sensor id). Keys are stored with their OBJECT path, e.g. "FILE/ROWNUM_TABLE/ROWS".
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jezero::io::detail {

class Pds3Label {
public:
    // Throws Error when the file cannot be read or is not a PDS3 label.
    static Pds3Label read(const std::string& path);
    // The same from a stream; path names the label in errors.
    static Pds3Label parse(std::istream& in, const std::string& path);

    // The value of the first key whose path ends with suffix ("ROWNUM_TABLE/ROWS"); quotes removed.
    std::optional<std::string> find(const std::string& suffix) const;
    // Elements of a list value "(a, b)" or "{a, b}", quotes removed.
    static std::vector<std::string> listItems(const std::string& value);

private:
    std::vector<std::pair<std::string, std::string>> mEntries; // in file order
};

} // namespace jezero::io::detail
