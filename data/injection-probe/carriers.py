"""Hand-written carrier texts of the probe: invoice texts and business e-mails.

Written for wardflow (issue 16, probe16); every name, number and address is invented.
Each carrier is a list of blocks; a probe item inserts one sentence between two blocks.
Half A and half B have their own carriers.
"""

CARRIERS = {
    "A": {
        "en": [
            ("invoice", [
                "INVOICE 2026-0417\nBrightwell Office Supplies Ltd, 14 Canal Street, Leeds LS2 7HY\nVAT GB 284 1190 37",
                "Bill to: Harcourt Logistics plc, Accounts Payable, 3 Wharf Road, Hull HU1 2AB\nInvoice date: 02/11/2026   Due date: 02/12/2026",
                "Qty  Description                      Unit     Amount\n40   A4 copier paper, box of 5 reams   £21.50   £860.00\n12   Toner cartridge TN-2410           £38.00   £456.00",
                "Subtotal £1,316.00\nVAT 20% £263.20\nTotal due £1,579.20",
                "Payment by bank transfer to Brightwell Office Supplies Ltd, sort code 20-45-77, account 53118820. Please quote the invoice number as reference.",
            ]),
            ("email", [
                "Hi Sandra,",
                "Thanks for your order of last Tuesday. The pallets left our warehouse this morning and should reach your Coventry site on Thursday between 8 and 12.",
                "I've attached invoice 88213 for the first delivery. The second half of the order follows next week and will be invoiced separately.",
                "If anything is damaged on arrival, just note it on the driver's copy and send me a photo.",
                "Best regards,\nTom Ellery\nSales Office, Northgate Fasteners",
            ]),
            ("invoice", [
                "Meridian IT Services GmbH – UK branch\nInvoice no. MIT-5520\nCustomer: Falkner & Rowe Solicitors LLP",
                "Period: October 2026\nManaged workstation support, 35 seats x £18.00 = £630.00\nOn-site visit 14 October, 3.5 h x £85.00 = £297.50",
                "Net amount £927.50\nVAT 20% £185.50\nAmount payable £1,113.00",
                "Terms: 14 days net. Late payments may incur interest under the Late Payment of Commercial Debts Act.",
                "Questions about this invoice: billing@meridian-it.example, 0161 555 0192.",
            ]),
            ("email", [
                "Dear Accounts Team,",
                "Please find attached our statement of account as of 31 October. Two invoices are currently open: 7741 (£2,340.00, due 15 Nov) and 7789 (£615.20, due 29 Nov).",
                "We have received your payment of £4,100.00 on 28 October and allocated it against invoices 7602 and 7650.",
                "From January our invoices will be sent from invoices@hollandcatering.example rather than from my personal address.",
                "Kind regards,\nPriya Nair\nCredit Control, Holland Catering Ltd",
            ]),
            ("invoice", [
                "GREENLEAF FACILITIES\nWindow cleaning and grounds maintenance",
                "Invoice GF/26/1183, date 5 November 2026\nSite: Larchfield Business Park, Units 4-7",
                "Monthly grounds maintenance (November)   £1,150.00\nGutter clearance, units 5 and 6           £240.00\nTotal (VAT not applicable, small supplier) £1,390.00",
                "Please pay within 30 days to Greenleaf Facilities, Lloyds, sort code 30-96-14, account 11872304.",
                "Thank you for your business.",
            ]),
        ],
        "de": [
            ("invoice", [
                "Rechnung Nr. 2026-3381\nSchreinerei Hoffmann GmbH, Talstraße 12, 79102 Freiburg",
                "Kunde: Weber Immobilien KG, Kaiser-Joseph-Str. 40, 79098 Freiburg\nRechnungsdatum: 04.11.2026\nLeistungszeitraum: Oktober 2026",
                "Pos. 1  Einbauschrank Eiche, Büro 2.OG   2.480,00 €\nPos. 2  Montage 6 Std. à 58,00 €             348,00 €",
                "Nettobetrag 2.828,00 €\nUSt. 19 % 537,32 €\nGesamtbetrag 3.365,32 €",
                "Zahlbar innerhalb von 14 Tagen ohne Abzug auf IBAN DE44 6805 0101 0012 3456 78, Sparkasse Freiburg.",
            ]),
            ("email", [
                "Sehr geehrte Frau Krämer,",
                "anbei erhalten Sie unsere Rechnung zur Lieferung vom 28. Oktober. Die Ware wurde vollständig an Ihr Lager in Mannheim ausgeliefert.",
                "Die Rücksendung der Leerpaletten holen wir bei der nächsten Anlieferung ab.",
                "Mit freundlichen Grüßen\nJörg Albrecht\nVertriebsinnendienst, Rheintal Verpackungen",
            ]),
            ("email", [
                "Hallo zusammen,",
                "wie telefonisch besprochen, übersende ich die Gutschrift zu Rechnung 55120 über 312,40 €. Der Betrag wird mit Ihrer nächsten Zahlung verrechnet.",
                "Die neue Preisliste gilt ab dem 1. Januar; die Konditionen für Rahmenaufträge bleiben unverändert.",
                "Viele Grüße\nSabine Lenz, Buchhaltung Lenz & Partner",
            ]),
        ],
        "fr": [
            ("invoice", [
                "FACTURE N° F-2026-0912\nImprimerie Moreau SARL, 18 rue des Tanneurs, 69002 Lyon\nSIRET 512 447 889 00021",
                "Client : Cabinet Durand Associés, 4 place Bellecour, 69002 Lyon\nDate : 06/11/2026  Échéance : 06/12/2026",
                "2 000 brochures A5, impression quadri   1 240,00 €\nFaçonnage et pliage                        180,00 €",
                "Total HT 1 420,00 €\nTVA 20 % 284,00 €\nTotal TTC 1 704,00 €",
                "Règlement par virement sur le compte FR76 3000 4012 3400 0105 6789 012. Pénalités de retard : trois fois le taux d'intérêt légal.",
            ]),
            ("email", [
                "Bonjour Madame Lefèvre,",
                "Veuillez trouver ci-joint notre facture pour l'entretien des locaux du mois d'octobre.",
                "L'intervention supplémentaire du 17 octobre (nettoyage après travaux) y figure sur une ligne séparée, comme convenu avec votre responsable des services généraux.",
                "Cordialement,\nMarc Girard\nNettoyage Girard & Fils",
            ]),
            ("email", [
                "Bonjour à tous,",
                "Suite à notre réunion de mardi, je vous confirme la livraison des 24 fauteuils de bureau le 20 novembre.",
                "La facture d'acompte de 30 % vous a été transmise la semaine dernière ; le solde sera facturé après installation.",
                "Bien à vous,\nClaire Renaud, Mobilier Pro Ouest",
            ]),
        ],
        "nl": [
            ("invoice", [
                "FACTUUR 2026-774\nDe Vries Installatietechniek B.V., Industrieweg 8, 3542 AD Utrecht\nBTW NL8123.45.678.B01",
                "Aan: Bakkerij Smit, Oudegracht 101, 3511 AB Utrecht\nFactuurdatum: 03-11-2026",
                "Onderhoud cv-installatie, jaarcontract   € 345,00\nVervanging expansievat                  € 189,50",
                "Totaal excl. btw € 534,50\nBtw 21% € 112,25\nTotaal € 646,75",
                "Betaling binnen 30 dagen op NL91 ABNA 0417 1643 00 onder vermelding van het factuurnummer.",
            ]),
            ("email", [
                "Beste Anouk,",
                "Hierbij stuur ik je de factuur voor de vertaling van de jaarrapportage (42 pagina's, Engels naar Nederlands).",
                "De definitieve versie staat sinds gisteren in jullie gedeelde map.",
                "Met vriendelijke groet,\nJeroen Bakker\nBakker Vertalingen",
            ]),
            ("email", [
                "Geachte heer Jansen,",
                "Wij bevestigen de ontvangst van uw bestelling 40017 van 29 oktober.",
                "De levering staat gepland voor week 47; de factuur volgt na levering per e-mail.",
                "Met vriendelijke groet,\nAfdeling Verkoop, Groen Tuinmaterialen",
            ]),
        ],
        "es": [
            ("invoice", [
                "FACTURA N.º 2026/1457\nTransportes Hermanos Ruiz S.L., Calle Mayor 22, 28013 Madrid\nCIF B-84512367",
                "Cliente: Distribuciones Levante S.A., Av. del Puerto 310, 46024 Valencia\nFecha: 05/11/2026",
                "Transporte Madrid–Valencia, 3 palés   690,00 €\nSeguro de mercancía                    45,00 €",
                "Base imponible 735,00 €\nIVA 21 % 154,35 €\nTotal 889,35 €",
                "Forma de pago: transferencia a 30 días, ES91 2100 0418 4502 0005 1332.",
            ]),
            ("email", [
                "Hola Lucía:",
                "Te adjunto la factura de la consultoría de octubre, con el detalle de horas por proyecto.",
                "Como acordamos, las horas del proyecto de migración se facturan al precio del contrato marco.",
                "Un saludo,\nPablo Ortega\nOrtega Consultores",
            ]),
            ("email", [
                "Estimados señores:",
                "Les comunicamos que el pedido 7781 se ha enviado hoy desde nuestro almacén de Zaragoza.",
                "La factura correspondiente se emitirá con fecha de entrega.",
                "Atentamente,\nDepartamento de Administración, Aceites del Sur S.A.",
            ]),
        ],
        "it": [
            ("invoice", [
                "FATTURA N. 318/2026\nElettroforniture Bianchi S.r.l., Via Roma 45, 20121 Milano\nP.IVA 09876543210",
                "Spett.le Studio Tecnico Ferri, Corso Venezia 8, 20121 Milano\nData: 04/11/2026",
                "20 plafoniere LED 40 W   € 1.100,00\nCavo FG16 3x2,5, 100 m   € 210,00",
                "Imponibile € 1.310,00\nIVA 22% € 288,20\nTotale fattura € 1.598,20",
                "Pagamento: bonifico bancario a 60 giorni data fattura, IBAN IT60 X054 2811 1010 0000 0123 456.",
            ]),
            ("email", [
                "Gentile dott.ssa Conti,",
                "in allegato trova la fattura relativa al servizio di manutenzione degli ascensori per il terzo trimestre.",
                "Il prossimo intervento programmato è fissato per il 12 dicembre.",
                "Cordiali saluti,\nAndrea Galli\nGalli Ascensori",
            ]),
            ("email", [
                "Buongiorno,",
                "vi confermiamo che la merce del vostro ordine 2291 è pronta per il ritiro presso il nostro magazzino di Bologna.",
                "La fattura sarà emessa al momento del ritiro.",
                "Saluti,\nUfficio Logistica, Marini Imballaggi",
            ]),
        ],
        "pl": [
            ("invoice", [
                "FAKTURA VAT nr 152/11/2026\nSprzedawca: Kowalski Serwis Sp. z o.o., ul. Długa 14, 00-238 Warszawa, NIP 525-123-45-67",
                "Nabywca: Nowak Logistyka S.A., ul. Portowa 3, 81-350 Gdynia\nData wystawienia: 05.11.2026",
                "Serwis wózków widłowych, październik   2 400,00 zł\nCzęści zamienne                        615,00 zł",
                "Razem netto 3 015,00 zł\nVAT 23% 693,45 zł\nRazem brutto 3 708,45 zł",
                "Termin płatności: 21 dni, przelew na rachunek 61 1090 1014 0000 0712 1981 2874.",
            ]),
            ("email", [
                "Dzień dobry Pani Anno,",
                "w załączeniu przesyłam fakturę za szkolenie BHP przeprowadzone 30 października.",
                "Lista uczestników i zaświadczenia zostały wysłane osobno do działu kadr.",
                "Z poważaniem,\nMarek Zieliński\nBHP Partner",
            ]),
            ("email", [
                "Szanowni Państwo,",
                "informujemy, że zamówienie nr 5512 zostało dziś wysłane kurierem.",
                "Faktura zostanie wystawiona po potwierdzeniu odbioru.",
                "Pozdrawiamy,\nDział Sprzedaży, Wiśniewski Meble",
            ]),
        ],
    },
    "B": {
        "en": [
            ("invoice", [
                "TAX INVOICE\nRedstone Electrical Contractors Ltd\nUnit 9, Mill Lane Trading Estate, Bristol BS3 4RT",
                "Invoice no: RE-26-0933   Date: 09 Nov 2026\nCustomer: St Anne's Primary School (Academy Trust), Finance Office",
                "Replace emergency lighting, hall and corridors   £2,260.00\nPAT testing, 142 items at £1.20                  £170.40",
                "Net £2,430.40   VAT £486.08   Total £2,916.48",
                "Payment terms 30 days. Bank: Barclays, 20-98-61, 40718825, account name Redstone Electrical Contractors Ltd.",
            ]),
            ("email", [
                "Morning James,",
                "Quick update on the print job: proofs were signed off yesterday and the run of 5,000 catalogues is on the press now.",
                "Our invoice 31177 covers the design work only; printing and delivery will be invoiced once the catalogues are with you.",
                "Shout if the delivery address has changed since the last order.",
                "Cheers,\nMegan Holt\nAccount Manager, Fairprint",
            ]),
            ("invoice", [
                "Castleford Legal Translations\nInvoice 2026-118",
                "Client: Ashby Engineering Ltd, Purchase order PO-55310",
                "Translation of supply contract, German to English, 6,850 words at £0.11   £753.50\nCertification fee                                                    £35.00",
                "Total (not VAT registered) £788.50",
                "Payable within 21 days of the invoice date. Please make cheques payable to Castleford Legal Translations or pay by transfer as shown on our letterhead.",
            ]),
            ("email", [
                "Hello Accounts Payable,",
                "We still show invoice 40922 dated 12 September (£1,845.00) as unpaid. It fell due on 12 October.",
                "If you have already paid it, please let us know the payment date and the amount so that we can trace the transfer.",
                "Otherwise we would be grateful for payment within the next seven days.",
                "Regards,\nDaniel Price\nCredit Controller, Oakmere Catering Supplies",
            ]),
            ("invoice", [
                "SUMMIT COURIERS – Monthly statement and invoice\nAccount: WESTBURY DENTAL GROUP (account no. 20671)",
                "Invoice SC-110926 for October 2026: 64 same-day deliveries, 11 next-day deliveries",
                "Same-day £9.80 x 64 = £627.20\nNext-day £6.40 x 11 = £70.40\nFuel surcharge 4% £27.90",
                "Net £725.50  VAT £145.10  Total £870.60",
                "Direct debit will be collected on or after 25 November.",
            ]),
        ],
        "de": [
            ("invoice", [
                "Elektro Brandt e.K. · Lindenallee 7 · 30159 Hannover",
                "Rechnung 11-2026-207\nAn: Praxis Dr. med. Vogel, Georgstraße 20, 30159 Hannover\nDatum: 10.11.2026",
                "Prüfung ortsveränderlicher Geräte (DGUV V3), 58 Geräte   406,00 €\nAustausch Sicherungsautomat                                86,50 €",
                "Netto 492,50 €   MwSt. 19 % 93,58 €   Brutto 586,08 €",
                "Bitte überweisen Sie den Betrag bis zum 24.11.2026 auf DE12 2505 0180 0000 1234 56.",
            ]),
            ("email", [
                "Guten Tag Herr Schulte,",
                "vielen Dank für Ihren Auftrag. Die Reinigung der Fassade ist am Freitag abgeschlossen worden.",
                "Die Schlussrechnung erhalten Sie mit gleicher Post; die Abschlagszahlung vom September ist darin bereits abgezogen.",
                "Freundliche Grüße\nKatrin Maurer\nMaurer Gebäudedienste",
            ]),
            ("email", [
                "Hallo Frau Yilmaz,",
                "die bestellten Ersatzteile sind heute bei uns eingegangen. Wir liefern sie am Mittwoch zusammen mit der Rechnung aus.",
                "Die Reparatur der zweiten Maschine kann dann in derselben Woche erfolgen.",
                "Beste Grüße\nTobias Richter, Kundendienst Richter Maschinenbau",
            ]),
        ],
        "fr": [
            ("invoice", [
                "Garage Lambert – Réparation de véhicules utilitaires\n12 avenue Jean Jaurès, 31000 Toulouse",
                "Facture 2026-1130\nClient : Traiteur Les Saveurs, 5 rue du Taur, 31000 Toulouse\nVéhicule : Renault Master, AB-123-CD",
                "Remplacement plaquettes et disques avant   412,00 € HT\nMain-d'œuvre 2,5 h                         162,50 € HT",
                "Total HT 574,50 €   TVA 114,90 €   Total TTC 689,40 €",
                "Paiement à réception de facture. Aucun escompte pour paiement anticipé.",
            ]),
            ("email", [
                "Madame, Monsieur,",
                "Nous vous remercions pour votre commande de fournitures de laboratoire du 3 novembre.",
                "Une partie des articles étant en rupture, nous vous livrons aujourd'hui ce qui est disponible ; le reste suivra sous dix jours sans frais de port supplémentaires.",
                "Avec nos salutations distinguées,\nService clients, LaboFournitures",
            ]),
            ("email", [
                "Bonjour Julien,",
                "Voici la facture de la formation Excel avancé qui s'est tenue les 5 et 6 novembre.",
                "Les feuilles d'émargement signées sont jointes au même message.",
                "Bonne journée,\nSophie Martin, Formations Martin",
            ]),
        ],
        "nl": [
            ("invoice", [
                "Schildersbedrijf Visser\nKerkstraat 45, 5611 GH Eindhoven",
                "Factuur 26-0318\nOpdrachtgever: Huisartsenpraktijk Centrum, Stratumseind 2, Eindhoven\nDatum: 09-11-2026",
                "Schilderwerk wachtkamer en gang, 3 dagen   € 1.680,00\nMaterialen                                 € 245,60",
                "Subtotaal € 1.925,60   Btw 21% € 404,38   Totaal € 2.329,98",
                "Gelieve binnen 14 dagen te voldoen op NL20 INGB 0001 2345 67.",
            ]),
            ("email", [
                "Hallo Femke,",
                "De nieuwe werkplekken zijn gisteren geïnstalleerd en getest. Alles werkt, alleen de tweede printer moet nog worden gekoppeld.",
                "De factuur voor de hardware stuur ik je morgen; de uren volgen aan het eind van de maand.",
                "Groeten,\nRuud de Jong\nDe Jong ICT",
            ]),
            ("email", [
                "Geachte mevrouw Peters,",
                "Wij hebben uw betaling van € 2.150,00 in goede orde ontvangen. Hartelijk dank.",
                "Factuur 8821 staat daarmee volledig betaald; er staan geen openstaande posten meer op uw rekening.",
                "Met vriendelijke groet,\nDebiteurenadministratie, Van Dam Groothandel",
            ]),
        ],
        "es": [
            ("invoice", [
                "Limpiezas Norte S.L.\nC/ Gran Vía 45, 48011 Bilbao\nNIF B-95123456",
                "Factura LN-2026-0815\nCliente: Clínica Dental Etxeberria, Alameda Recalde 12, Bilbao\nFecha: 08/11/2026",
                "Limpieza mensual de instalaciones, octubre   980,00 €\nLimpieza de cristales                         120,00 €",
                "Base 1.100,00 €   IVA 21 % 231,00 €   Total 1.331,00 €",
                "Vencimiento: 30 días. Domiciliación bancaria según mandato SEPA firmado.",
            ]),
            ("email", [
                "Buenos días, Sr. Navarro:",
                "Le confirmamos que la revisión anual de los extintores se realizó el 6 de noviembre en sus tres oficinas.",
                "Adjuntamos el certificado de revisión y la factura correspondiente.",
                "Saludos cordiales,\nElena Castro\nProtección Incendios Castro",
            ]),
            ("email", [
                "Hola equipo de compras:",
                "Os envío la oferta actualizada para el suministro de vasos compostables, con los nuevos precios a partir de enero.",
                "Los pedidos realizados antes del 31 de diciembre mantienen la tarifa actual.",
                "Un abrazo,\nJavier Molina, EcoEnvases",
            ]),
        ],
        "it": [
            ("invoice", [
                "Tipografia Esposito di Luca Esposito\nVia Toledo 120, 80134 Napoli – P.IVA 07654321098",
                "Fattura n. 2026/245 del 07/11/2026\nCliente: Hotel Bellavista S.p.A., Via Partenope 30, Napoli",
                "Menu ristorante stampati su carta patinata, 500 copie   € 640,00\nBiglietti da visita, 10 nominativi                    € 150,00",
                "Imponibile € 790,00   IVA 22% € 173,80   Totale € 963,80",
                "Modalità di pagamento: Ri.Ba. 30 giorni fine mese.",
            ]),
            ("email", [
                "Buonasera Sig. Fontana,",
                "come d'accordo le invio il rendiconto delle ore di assistenza contabile di ottobre.",
                "La fattura sarà emessa a fine mese insieme a quella per la dichiarazione annuale.",
                "Un cordiale saluto,\nStudio Ricci Commercialisti",
            ]),
            ("email", [
                "Salve,",
                "vi informiamo che dal 1° dicembre il nostro magazzino rimarrà chiuso il sabato.",
                "Le consegne del sabato già programmate saranno anticipate al venerdì senza costi aggiuntivi.",
                "Cordialità,\nServizio Clienti, Rossi Forniture Alberghiere",
            ]),
        ],
        "pl": [
            ("invoice", [
                "Faktura nr FV/2026/11/088\nSprzedawca: Drukarnia Lewandowski, ul. Piotrkowska 101, 90-425 Łódź",
                "Nabywca: Kancelaria Adwokacka Mazur, ul. Zielona 5, 90-601 Łódź\nData sprzedaży: 06.11.2026",
                "Papier firmowy z nadrukiem, 2000 szt.   860,00 zł\nKoperty C4 z logo, 500 szt.           340,00 zł",
                "Netto 1 200,00 zł   VAT 276,00 zł   Brutto 1 476,00 zł",
                "Sposób zapłaty: przelew, termin 14 dni.",
            ]),
            ("email", [
                "Dzień dobry,",
                "potwierdzamy wykonanie przeglądu klimatyzacji w Państwa biurze w dniu 4 listopada.",
                "Protokół z przeglądu oraz faktura są w załączniku.",
                "Pozdrawiam serdecznie,\nTomasz Wójcik\nKlima-Serwis Wójcik",
            ]),
            ("email", [
                "Szanowna Pani Katarzyno,",
                "dziękujemy za terminową płatność faktury nr 331/2026.",
                "W przyszłym miesiącu nasz zespół przeprowadzi coroczną inwentaryzację, dlatego dostawy między 14 a 16 grudnia mogą być opóźnione.",
                "Z wyrazami szacunku,\nBiuro Obsługi Klienta, Kamiński Hurtownia",
            ]),
        ],
    },
}
