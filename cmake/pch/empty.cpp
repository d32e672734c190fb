// The translation unit of the targets that own the precompiled headers
// (cmake/Pch.cmake); the header is all they compile.
