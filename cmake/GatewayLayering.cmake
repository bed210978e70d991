# Configure-time layering checks (house style rule 1): the core and the headless CLI must never
# pick up Qt Gui or Widgets, not even transitively through another target.
#
#   gateway_forbid_links(<target> FORBID <name|regex>... [REASON <text>])
#
# schedules a check that runs once the whole project is configured (cmake_language(DEFER) at the
# end of the top-level CMakeLists.txt, when every target and every target_link_libraries() call
# exists). It walks <target>'s LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES recursively (through
# ALIAS, IMPORTED and $<LINK_ONLY:...> entries) and stops the configure with FATAL_ERROR naming the
# chain that reaches a forbidden library. Each FORBID entry is a regular expression matched
# against the whole library name, e.g. "Qt6?::Gui" or "gateway_ui".
#
# tests/lint checks the same on the built binaries (readelf/ldd), since a check that only reads
# CMake properties cannot see a library pulled in some other way.

include_guard(GLOBAL)

function(gateway_forbid_links target)
    cmake_parse_arguments(F "" "REASON" "FORBID" ${ARGN})
    if(NOT F_FORBID)
        message(FATAL_ERROR "gateway_forbid_links(${target}): FORBID needs at least one name")
    endif()
    # A deferred call evaluates its arguments when it runs, in the top-level scope, so the values
    # are written in now as bracket arguments (the list goes across as one |-joined regex).
    string(REPLACE ";" "|" forbid "${F_FORBID}")
    cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL
        _gateway_check_forbidden_links [[${target}]] [[${forbid}]] [[${F_REASON}]])")
endfunction()

# Appends to `out` the library names one entry of a link list stands for.
function(_gateway_link_items entry out)
    set(items)
    if(entry MATCHES "^::@") # directory markers CMake adds around cross-directory link calls
        set(${out} "" PARENT_SCOPE)
        return()
    endif()
    if(entry MATCHES "^\\$<LINK_ONLY:([^$<>]+)>$")
        list(APPEND items "${CMAKE_MATCH_1}")
    elseif(entry MATCHES "\\$<")
        # Any other generator expression: be conservative and take every target name in it, so a
        # forbidden library behind a condition ($<$<CONFIG:Debug>:Qt6::Gui>) is still seen.
        string(REGEX MATCHALL "[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*" tokens "${entry}")
        foreach(token IN LISTS tokens)
            if(TARGET "${token}" OR token MATCHES "::")
                list(APPEND items "${token}")
            endif()
        endforeach()
    else()
        list(APPEND items "${entry}")
    endif()
    set(${out} "${items}" PARENT_SCOPE)
endfunction()

# Depth-first walk; `chain` is the path from the checked target to `name`.
function(_gateway_walk_links name chain forbid)
    get_property(visited GLOBAL PROPERTY _GATEWAY_LINK_VISITED)
    if("${name}" IN_LIST visited)
        return()
    endif()
    set_property(GLOBAL APPEND PROPERTY _GATEWAY_LINK_VISITED "${name}")

    set(names "${name}")
    if(TARGET "${name}")
        get_target_property(aliased "${name}" ALIASED_TARGET)
        if(aliased)
            list(APPEND names "${aliased}")
        endif()
    endif()
    foreach(n IN LISTS names)
        get_filename_component(base "${n}" NAME) # a full path to a library file counts by its name
        if(n MATCHES "^(${forbid})$" OR base MATCHES "^(lib)?(${forbid})([.].*)?$")
            set_property(GLOBAL APPEND PROPERTY _GATEWAY_LINK_HITS "${chain}")
            return()
        endif()
    endforeach()
    if(NOT TARGET "${name}")
        return()
    endif()
    if(aliased)
        set(name "${aliased}")
    endif()

    get_target_property(imported "${name}" IMPORTED)
    set(props INTERFACE_LINK_LIBRARIES)
    if(NOT imported)
        list(APPEND props LINK_LIBRARIES)
    endif()
    foreach(prop IN LISTS props)
        get_target_property(libs "${name}" ${prop})
        if(NOT libs)
            continue()
        endif()
        foreach(entry IN LISTS libs)
            _gateway_link_items("${entry}" items)
            foreach(item IN LISTS items)
                _gateway_walk_links("${item}" "${chain} -> ${item}" "${forbid}")
            endforeach()
        endforeach()
    endforeach()
endfunction()

function(_gateway_check_forbidden_links target forbid reason)
    if(NOT TARGET "${target}")
        return() # not configured in this build (e.g. GATEWAY_BUILD_GUI=OFF)
    endif()
    set_property(GLOBAL PROPERTY _GATEWAY_LINK_VISITED "")
    set_property(GLOBAL PROPERTY _GATEWAY_LINK_HITS "")
    _gateway_walk_links("${target}" "${target}" "${forbid}")
    get_property(hits GLOBAL PROPERTY _GATEWAY_LINK_HITS)
    string(REPLACE "|" ", " names "${forbid}")
    if(hits)
        list(JOIN hits "\n    " text)
        message(FATAL_ERROR
            "Layering violation: ${target} links a forbidden library (${names}):\n"
            "    ${text}\n"
            "${reason}\n"
            "Remove that link (see CODING_GUIDELINES.md, house style rule 1).")
    endif()
    message(STATUS "Layering check: ${target} links none of ${names}")
endfunction()
