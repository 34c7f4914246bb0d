// Compiled with the test PCH so that the shared precompiled header gets generated (see CMakeLists.txt).
