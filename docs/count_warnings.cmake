# Prints how many warnings Doxygen wrote to LOG (run by the `docs` target).
if(EXISTS "${LOG}")
    file(STRINGS "${LOG}" lines REGEX "warning:")
    list(LENGTH lines count)
else()
    set(count 0)
endif()
message(STATUS "API reference: ${count} Doxygen warnings (details in ${LOG})")
