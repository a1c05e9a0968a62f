// Placeholder until the binary lands; lets CMake configure meanwhile.
int main() { return 1; }
