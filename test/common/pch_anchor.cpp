// Compiled with the precompiled header so the .gch exists for the targets that reuse it
// (entry_point.cpp must skip the PCH, see test/CMakeLists.txt).
