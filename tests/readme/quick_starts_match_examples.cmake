# The README's quick starts are the example programs, byte for byte: each
# `<!-- examples/NAME -->` marker must be followed by a fenced block holding
# exactly examples/NAME. The examples are compiled and run, so a quick start
# that drifted from them could be wrong unnoticed.
#   cmake -DSAND_SOURCE_DIR=<repo> -P quick_starts_match_examples.cmake
file(READ "${SAND_SOURCE_DIR}/README.md" readme)
set(checked 0)
foreach(example hello.cpp hello.c hello.py)
  file(READ "${SAND_SOURCE_DIR}/examples/${example}" code)
  string(REGEX MATCH "[^.]+$" extension "${example}")
  set(language_of_cpp cpp)
  set(language_of_c c)
  set(language_of_py python)
  set(block "<!-- examples/${example} -->\n```${language_of_${extension}}\n${code}```\n")
  string(FIND "${readme}" "${block}" at)
  if(at EQUAL -1)
    message(SEND_ERROR "README.md: the quick start marked <!-- examples/${example} --> is not "
                       "examples/${example} as it is now: copy the file into the block")
  else()
    math(EXPR checked "${checked} + 1")
  endif()
endforeach()
message(STATUS "README.md: ${checked} quick starts match examples/")
