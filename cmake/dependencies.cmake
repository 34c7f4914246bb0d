# Every dependency comes from Debian packages (see tools/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
