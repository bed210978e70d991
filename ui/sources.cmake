# gateway_ui sources, in .cpp/.h pairs (house-style 18).
target_sources(gateway_ui PRIVATE
    uiformat.cpp uiformat.h
    icons.cpp icons.h
    elementref.cpp elementref.h
    configelements.cpp configelements.h
    sessiontablemodel.cpp sessiontablemodel.h
    sessionsortmodel.cpp sessionsortmodel.h
    sessiondelegate.cpp sessiondelegate.h
    sessionswidget.cpp sessionswidget.h
    frametablemodel.cpp frametablemodel.h
    framesortmodel.cpp framesortmodel.h
    frameswidget.cpp frameswidget.h
    healthtreemodel.cpp healthtreemodel.h
    healthdelegate.cpp healthdelegate.h
    healthwidget.cpp healthwidget.h
    eventlogmodel.cpp eventlogmodel.h
    eventsortmodel.cpp eventsortmodel.h
    eventlogwidget.cpp eventlogwidget.h
    timeoutwarningsmodel.cpp timeoutwarningsmodel.h
    timeoutwarningswidget.cpp timeoutwarningswidget.h
    statswidget.cpp statswidget.h
    columnfit.cpp columnfit.h
)
target_sources(gateway_ui PRIVATE
    configcontroller.cpp configcontroller.h
    configdiff.cpp configdiff.h
    elementfields.cpp elementfields.h
    elementform.cpp elementform.h
    focuswheel.h
    parametersdialog.cpp parametersdialog.h
    elementeditor.cpp elementeditor.h
    configtreemodel.cpp configtreemodel.h
    problemsmodel.cpp problemsmodel.h
    topologynode.cpp topologynode.h
    topologyview.cpp topologyview.h
    mapaddressdialog.cpp mapaddressdialog.h
    addressmapoffer.cpp addressmapoffer.h
    mainwindow.cpp mainwindow.h
)
