# Sourced by the build scripts: compile through ccache (Debian's) when it is installed, so a
# rebuild or a second clone of the same sources reuses objects. Paths are made relative to the
# clone (base_dir) so clones in different folders share the cache; the PCH settings let ccache
# cache the test sources that use CMake's precompiled header.
INTERCOM_CMAKE_LAUNCHER=""
if command -v ccache >/dev/null 2>&1; then
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
    export CCACHE_NOHASHDIR=1
    export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
    export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
    INTERCOM_CMAKE_LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
fi
