# Writes the bytes of IN as a NUL-terminated C array SYM (and SYM_len) into OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" nHex)
math(EXPR nByte "${nHex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN}: do not edit. */\n#include <stddef.h>\n"
  "const char ${SYM}[] = {\n${body}0x00};\nconst size_t ${SYM}_len = ${nByte};\n")
