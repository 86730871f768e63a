"""ИМ («Инцидент Менеджмент») and ПОС (Платформа обратной связи) exports imported from files."""
