#pragma once

// A wheel over a form scrolls the form: a combo box or spin box only takes the wheel when it has
// the focus (clicked or tabbed into), so scrolling past it never changes a value.

#include <QWheelEvent>

namespace Gateway::Ui {

template<class Base>
class FocusWheel final : public Base
{
public:
    FocusWheel() { Base::setFocusPolicy(Qt::StrongFocus); }

protected:
    void wheelEvent(QWheelEvent *event) override
    {
        if (Base::hasFocus())
            Base::wheelEvent(event);
        else
            event->ignore(); // goes to the scroll area
    }
};

} // namespace Gateway::Ui
